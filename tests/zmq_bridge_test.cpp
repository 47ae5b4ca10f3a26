// The ZeroMQ bridge against real sockets on tcp://127.0.0.1:*, with a fake
// service in place of the ingest pipeline: it echoes the payload's length
// (201), answers an empty payload with 400, and keeps "hold" payloads for the
// test to answer when it chooses. Every wait is a poll with a timeout.
#include "zmq/bridge.hpp"
#include "zmq/reply_frame.hpp"
#include "support/log_capture.hpp"

#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <sys/poll.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <thread>

namespace {

using namespace std::chrono_literals;
using opel::zmq::bridge;
using opel::zmq::bridge_options;
using done_fn = std::function<void(opel::service::reply)>;
namespace fs = std::filesystem;
namespace json = boost::json;

constexpr auto answer_timeout = 5000ms;

opel::service::reply answer_for(const std::string& payload) {
    if (payload.empty())
        return {400, R"({"error":{"code":"malformed_json","message":"empty"}})", {}, {}};
    return {201, "{\"echo\":" + std::to_string(payload.size()) + "}", {}, {}};
}

/// Stands in for service::ingest: answers inline, or from its own thread.
class fake_service {
public:
    explicit fake_service(bool own_thread = false) {
        if (own_thread) worker_ = std::thread([this] { work(); });
    }
    ~fake_service() {
        {
            std::lock_guard lock(mu_);
            quit_ = true;
        }
        cv_.notify_all();
        if (worker_.joinable()) worker_.join();
    }

    bridge::submit_fn submit() {
        return [this](std::string payload, std::string peer, done_fn done) {
            std::unique_lock lock(mu_);
            peers_.push_back(std::move(peer));
            if (payload.rfind("hold", 0) == 0)
                held_.push_back(std::move(done));
            else if (worker_.joinable())
                queue_.emplace_back(std::move(payload), std::move(done));
            else {
                lock.unlock();
                done(answer_for(payload));
                return;
            }
            lock.unlock();
            cv_.notify_all();
        };
    }

    /// Waits until `n` held requests have arrived; false on timeout.
    bool wait_held(std::size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, answer_timeout, [&] { return held_.size() >= n; });
    }

    std::vector<done_fn> take_held() {
        std::lock_guard lock(mu_);
        return std::exchange(held_, {});
    }

    /// The peer address given with each payload so far.
    std::vector<std::string> peers() {
        std::lock_guard lock(mu_);
        return peers_;
    }

private:
    void work() {
        std::unique_lock lock(mu_);
        while (true) {
            cv_.wait(lock, [&] { return quit_ || !queue_.empty(); });
            if (quit_) return;
            auto [payload, done] = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            done(answer_for(payload));
            lock.lock();
        }
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<std::string, done_fn>> queue_;
    std::vector<done_fn> held_;
    std::vector<std::string> peers_;
    bool quit_ = false;
    std::thread worker_;
};

bridge_options local_options() {
    bridge_options o;
    o.ingest = "tcp://127.0.0.1:*";
    o.publish = "tcp://127.0.0.1:*";
    return o;
}

zmq::socket_t client(zmq::context_t& ctx, zmq::socket_type type, const std::string& endpoint) {
    zmq::socket_t s(ctx, type);
    s.set(zmq::sockopt::linger, 0);
    s.connect(endpoint);
    return s;
}

/// One whole message within the timeout, or nothing.
std::optional<std::vector<std::string>>
receive(zmq::socket_t& s, std::chrono::milliseconds timeout = answer_timeout) {
    zmq::pollitem_t item{s.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0) return std::nullopt;
    std::vector<zmq::message_t> frames;
    REQUIRE(zmq::recv_multipart(s, std::back_inserter(frames)));
    std::vector<std::string> out;
    for (const auto& f : frames)
        out.push_back(f.to_string());
    return out;
}

void send(zmq::socket_t& s, const std::vector<std::string>& frames) {
    std::vector<zmq::const_buffer> parts;
    for (const auto& f : frames)
        parts.push_back(zmq::buffer(f));
    REQUIRE(zmq::send_multipart(s, parts));
}

json::object reply_object(const std::string& frame) {
    return json::parse(frame).as_object();
}

/// The answer to one request-reply round trip; fails the test on timeout.
json::object round_trip(zmq::socket_t& req, const std::string& payload) {
    send(req, {payload});
    auto got = receive(req);
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    return reply_object(got->back());
}

opel::core::event make_event(std::int64_t seq, std::string topic) {
    opel::core::event e;
    e.seq = seq;
    e.topic = std::move(topic);
    e.data = "{\"n\":" + std::to_string(seq) + "}";
    return e;
}

/// Publishes a probe until `sub` receives one: the subscription has then
/// reached the PUB, and everything published after it is delivered.
void await_subscription(bridge& b, zmq::socket_t& sub) {
    const auto deadline = std::chrono::steady_clock::now() + answer_timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        b.publish({make_event(0, "probe")});
        if (receive(sub, 10ms)) return;
    }
    FAIL("the subscriber never received a probe");
}

/// A client socket's own events (ZeroMQ's socket monitor), so that a test
/// waits for a handshake to fail or a connection to drop, which ZeroMQ
/// reports, instead of for an answer that is never to come.
class client_events {
public:
    /// Watches `s` for `events` (ZMQ_EVENT_*); before `s` connects.
    client_events(zmq::context_t& ctx, zmq::socket_t& s, int events) {
        static std::atomic<int> n{0};
        const auto endpoint = "inproc://client-events-" + std::to_string(n++);
        REQUIRE(zmq_socket_monitor(s.handle(), endpoint.c_str(), events) == 0);
        pair_ = zmq::socket_t(ctx, zmq::socket_type::pair);
        pair_.set(zmq::sockopt::linger, 0);
        pair_.connect(endpoint);
    }
    /// Waits for `event`; false when it has not come within the timeout.
    bool wait_for(int event) {
        const auto deadline = std::chrono::steady_clock::now() + answer_timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) return false;
            const auto got = receive(pair_, left);
            if (!got) return false;
            std::uint16_t e = 0;
            REQUIRE(got->at(0).size() >= sizeof e);
            std::memcpy(&e, got->at(0).data(), sizeof e);
            if (e == event) return true;
        }
    }

private:
    zmq::socket_t pair_;
};

/// A directory removed with everything in it when the test ends.
struct temp_dir {
    fs::path path;
    temp_dir() {
        static std::atomic<int> n{0};
        path = fs::temp_directory_path() /
               ("opel-zmq-test-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
        fs::create_directories(path);
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        const auto file = path / name;
        std::ofstream(file) << text;
        fs::permissions(file, fs::perms::owner_read | fs::perms::owner_write);
        return file;
    }
};

} // namespace

TEST_CASE("reply_frame puts status first in the answer's object", "[zmq]") {
    using opel::zmq::reply_frame;
    CHECK(reply_frame({201, R"({"id":7,"alerts":[]})", {}, {}}) ==
          R"({"status":201,"id":7,"alerts":[]})");
    CHECK(reply_frame({422, "{}", {}, {}}) == R"({"status":422})");
    CHECK(reply_frame({400, " { \n} ", {}, {}}) == R"({"status":400})");
    CHECK(reply_frame({200, "", {}, {}}) == R"({"status":200})");
    const auto odd = reply_frame({500, "not \"json\"", {}, {}});
    CHECK(odd == R"({"status":500,"body":"not \"json\""})");
    CHECK(json::parse(odd).as_object().at("status").as_int64() == 500);
}

TEST_CASE("mailbox: wakes once per batch, caps events, refuses after close", "[zmq]") {
    opel::zmq::mailbox m(3);
    pollfd p{m.fd(), POLLIN, 0};
    CHECK(::poll(&p, 1, 0) == 0);
    CHECK(m.post_reply({1, {201, "{}", {}, {}}}));
    CHECK(m.post_events({{"a", "1"}, {"b", "2"}, {"c", "3"}, {"d", "4"}}) == 1);
    CHECK(::poll(&p, 1, 0) == 1);
    auto batch = m.take();
    CHECK(batch.replies.size() == 1);
    REQUIRE(batch.events.size() == 3);
    CHECK(batch.events[2].topic == "c");
    CHECK(::poll(&p, 1, 0) == 0);
    m.close();
    CHECK_FALSE(m.post_reply({2, {}}));
    CHECK(m.post_events({{"e", "5"}}) == 1);
}

TEST_CASE("secret key files: a bare key, labelled keys or a pair, and bad ones refused", "[zmq]") {
    using opel::zmq::parse_secret_key;
    const auto [pub, sec] = opel::zmq::generate_curve_keypair();
    const auto [other_pub, other_sec] = opel::zmq::generate_curve_keypair();
    CHECK(opel::zmq::curve_public_key(sec) == pub);
    CHECK(parse_secret_key(sec) == sec);
    CHECK(parse_secret_key("  " + sec + " \n\n") == sec);
    CHECK(parse_secret_key("# czmq\ncurve\n    public-key = \"" + pub + "\"\n    secret-key = \"" +
                           sec + "\"\n") == sec);
    CHECK(parse_secret_key("public: " + pub + "\nsecret: " + sec + "\n") == sec);
    CHECK(parse_secret_key(pub + "\n" + sec + "\n") == sec);
    CHECK(parse_secret_key(sec + "\n" + pub + "\n") == sec);
    CHECK_THROWS_WITH(parse_secret_key("public = " + other_pub + "\nsecret = " + sec),
                      Catch::Contains("does not belong"));
    CHECK_THROWS_WITH(parse_secret_key(pub + "\n" + other_sec), Catch::Contains("not a public"));
    CHECK_THROWS_WITH(parse_secret_key(""), Catch::Contains("no secret key"));
    CHECK_THROWS_WITH(parse_secret_key("secret = short"), Catch::Contains("not a CURVE key"));
    CHECK_THROWS_WITH(parse_secret_key("secret = " + sec + "\nsecret = " + sec),
                      Catch::Contains("twice"));
    CHECK_THROWS_WITH(opel::zmq::read_secret_key_file("/nonexistent/server.key"),
                      Catch::Contains("/nonexistent/server.key") &&
                          Catch::Contains("cannot be read"));
}

TEST_CASE("ZAP policy: each socket's own CURVE keys, NULL without CURVE, 300 when full",
          "[zmq]") {
    using opel::zmq::zap_policy;
    const auto [practice, practice_sec] = opel::zmq::generate_curve_keypair();
    const auto [team, team_sec] = opel::zmq::generate_curve_keypair();
    const auto [stranger, ignored] = opel::zmq::generate_curve_keypair();
    const zap_policy policy({practice, team}, {team});
    auto request = [](std::string domain, std::string mechanism, std::string credential) {
        std::vector<std::string> r{"1.0", "42", std::move(domain), "127.0.0.1", "",
                                   std::move(mechanism)};
        if (!credential.empty()) r.push_back(std::move(credential));
        return r;
    };
    const auto curve = [&](const std::string& domain, const std::string& key) {
        return request(domain, "CURVE", opel::zmq::decode_z85_key(key));
    };
    const std::string ingest = opel::zmq::ingest_zap_domain;
    const std::string publish = opel::zmq::publish_zap_domain;
    // A practice's key may submit but not subscribe; the team's may do both.
    const auto ok = policy.decide(curve(ingest, practice), false);
    CHECK(ok.allowed);
    CHECK(ok.frames == std::vector<std::string>{"1.0", "42", "200", "OK", practice, ""});
    const auto no_sub = policy.decide(curve(publish, practice), false);
    CHECK_FALSE(no_sub.allowed);
    CHECK(no_sub.frames[2] == "400");
    CHECK(no_sub.reason == "client key not allowed to subscribe");
    CHECK(no_sub.client == practice);
    CHECK(policy.decide(curve(publish, team), false).allowed);
    CHECK(policy.decide(curve(ingest, team), false).allowed);
    const auto unknown = policy.decide(curve(ingest, stranger), false);
    CHECK_FALSE(unknown.allowed);
    CHECK(unknown.frames[2] == "400");
    CHECK(unknown.client == stranger);
    // A full socket: 300 for a known key, but a stranger is still told no.
    const auto full = policy.decide(curve(ingest, practice), true);
    CHECK_FALSE(full.allowed);
    CHECK(full.full);
    CHECK(full.frames[2] == "300");
    CHECK(policy.decide(curve(ingest, stranger), true).frames[2] == "400");
    // Other mechanisms, other domains and malformed requests.
    CHECK(policy.decide(request(ingest, "NULL", ""), false).frames[2] == "400");
    CHECK(policy.decide(request(ingest, "PLAIN", "user"), false).frames[2] == "400");
    CHECK(policy.decide(curve("opeld", practice), false).frames[2] == "400");
    CHECK(policy.decide({"1.0"}, false).frames[2] == "400");
    CHECK(policy.decide({"2.0", "1", "", "", "", "CURVE", "x"}, false).frames[1] == "1");
    CHECK_THROWS_AS(zap_policy({"not a key"}, {}), std::runtime_error);
    CHECK_THROWS_AS(zap_policy({}, {"not a key"}), std::runtime_error);
    // Without CURVE every NULL connection is let in until the socket is full.
    const zap_policy open;
    CHECK(open.decide(request(ingest, "NULL", ""), false).allowed);
    CHECK(open.decide(request(publish, "NULL", ""), false).allowed);
    CHECK(open.decide(request(publish, "NULL", ""), true).frames[2] == "300");
    CHECK(open.decide(curve(ingest, practice), false).frames[2] == "400");
}

TEST_CASE("the bridge reports the endpoints it bound, and bind failures say why", "[zmq]") {
    fake_service service;
    bridge b(local_options(), service.submit());
    CHECK(b.ingest_endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
    CHECK(b.publish_endpoint().rfind("tcp://127.0.0.1:", 0) == 0);
    CHECK(b.ingest_endpoint().find('*') == std::string::npos);

    auto taken = local_options();
    taken.ingest = b.ingest_endpoint();
    CHECK_THROWS_WITH(bridge(taken, service.submit()),
                      Catch::Contains("ingest") && Catch::Contains(b.ingest_endpoint()));
    auto bad = local_options();
    bad.publish = "nonsense://here";
    CHECK_THROWS_WITH(bridge(bad, service.submit()), Catch::Contains("publish"));

    bridge_options off;
    bridge silent(off, service.submit());
    CHECK(silent.ingest_endpoint().empty());
    CHECK(silent.publish_endpoint().empty());
    silent.start();
    silent.publish({make_event(1, "status.C82001")});
    silent.stop();
    CHECK(silent.counters().events_dropped == 0);

    auto curve = local_options();
    curve.curve = opel::config::curve_config{"/nonexistent/server.key", {}, {}};
    CHECK_THROWS_WITH(bridge(curve, service.submit()), Catch::Contains("/nonexistent/server.key"));
}

TEST_CASE("a REQ client gets the service's answer with status added", "[zmq]") {
    fake_service service;
    bridge b(local_options(), service.submit());
    b.start();
    zmq::context_t ctx;
    auto req = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    const auto answer = round_trip(req, R"({"practice":"C82001","level":2})");
    CHECK(answer.at("status").as_int64() == 201);
    CHECK(answer.at("echo").as_int64() == 31);
    CHECK(round_trip(req, "second").at("echo").as_int64() == 6);
    b.stop();
    CHECK(b.counters().requests_received == 2);
    CHECK(b.counters().replies_sent == 2);
}

TEST_CASE("a DEALER may send the payload alone or after an empty frame", "[zmq]") {
    fake_service service;
    bridge b(local_options(), service.submit());
    b.start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b.ingest_endpoint());

    send(dealer, {"alone"});
    auto got = receive(dealer);
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    CHECK(reply_object(got->at(0)).at("echo").as_int64() == 5);

    send(dealer, {"", "after empty"});
    got = receive(dealer);
    REQUIRE(got);
    REQUIRE(got->size() == 2);
    CHECK(got->at(0).empty());
    CHECK(reply_object(got->at(1)).at("echo").as_int64() == 11);
}

TEST_CASE("a DEALER pipelines 1,000 tagged requests answered from another thread", "[zmq]") {
    fake_service service(true);
    bridge b(local_options(), service.submit());
    b.start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b.ingest_endpoint());
    constexpr int n = 1000;
    for (int i = 0; i < n; ++i)
        send(dealer, {"tag-" + std::to_string(i), std::string(1 + i % 97, 'x')});

    std::map<std::string, std::int64_t> echoes;
    for (int i = 0; i < n; ++i) {
        auto got = receive(dealer);
        REQUIRE(got);
        REQUIRE(got->size() == 2);
        const auto answer = reply_object(got->at(1));
        CHECK(answer.at("status").as_int64() == 201);
        echoes[got->at(0)] = answer.at("echo").as_int64();
    }
    REQUIRE(echoes.size() == n);
    for (int i = 0; i < n; ++i)
        CHECK(echoes.at("tag-" + std::to_string(i)) == 1 + i % 97);
    CHECK(b.counters().requests_received == n);
}

TEST_CASE("an empty payload and 1 MB of garbage are answered and the bridge carries on", "[zmq]") {
    fake_service service(true);
    bridge b(local_options(), service.submit());
    b.start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b.ingest_endpoint());

    send(dealer, {""});
    auto got = receive(dealer);
    REQUIRE(got);
    CHECK(reply_object(got->back()).at("status").as_int64() == 400);
    CHECK(reply_object(got->back()).at("error").is_object());

    std::string garbage(1024 * 1024, '\0');
    for (std::size_t i = 0; i < garbage.size(); ++i)
        garbage[i] = static_cast<char>((i * 7919) % 256);
    send(dealer, {"", "", garbage});
    got = receive(dealer);
    REQUIRE(got);
    REQUIRE(got->size() == 3);
    CHECK(reply_object(got->back()).at("echo").as_int64() == 1024 * 1024);

    auto req = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    CHECK(round_trip(req, "still here").at("status").as_int64() == 201);
}

TEST_CASE("a reply to a client that has gone is counted as unroutable", "[zmq]") {
    fake_service service;
    bridge b(local_options(), service.submit());
    b.start();
    {
        zmq::context_t ghost_ctx;
        auto ghost = client(ghost_ctx, zmq::socket_type::dealer, b.ingest_endpoint());
        send(ghost, {"hold me"});
        REQUIRE(service.wait_held(1));
        // Leaving the scope closes the socket and terminates its context,
        // so the connection is closed before the next client speaks.
    }
    zmq::context_t ctx;
    auto req = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    round_trip(req, "after the ghost left");
    for (auto& done : service.take_held())
        done(answer_for("hold me"));
    // Answers go out in the order given, so once this one is back the
    // ghost's answer has been tried.
    round_trip(req, "and after its answer");
    b.stop(); // the counters are final once the thread has been joined
    const auto c = b.counters();
    INFO("sent " << c.replies_sent << " unroutable " << c.replies_unroutable << " dropped "
                 << c.replies_dropped << " received " << c.requests_received);
    CHECK(c.replies_unroutable == 1);
    CHECK(c.replies_sent == 2);
}

TEST_CASE("events reach a subscriber in order, filtered by topic", "[zmq]") {
    fake_service service;
    bridge b(local_options(), service.submit());
    b.start();
    zmq::context_t ctx;
    auto sub = client(ctx, zmq::socket_type::sub, b.publish_endpoint());
    sub.set(zmq::sockopt::subscribe, "status.");
    sub.set(zmq::sockopt::subscribe, "probe");
    await_subscription(b, sub);

    std::vector<opel::core::event> events;
    for (int seq = 1; seq <= 100; ++seq)
        events.push_back(make_event(seq, seq % 2 ? "status.C82001" : "alert.L3.practice.C82001"));
    b.publish(std::move(events));

    std::int64_t expected = 1;
    while (expected <= 99) {
        auto got = receive(sub);
        REQUIRE(got);
        REQUIRE(got->size() == 2);
        if (got->at(0) == "probe") continue; // a probe still in flight from await_subscription
        REQUIRE(got->at(0) == "status.C82001");
        const auto event = json::parse(got->at(1)).as_object();
        CHECK(event.at("seq").as_int64() == expected);
        CHECK(event.at("topic").as_string() == "status.C82001");
        CHECK(event.at("data").at("n").as_int64() == expected);
        expected += 2;
    }
    b.stop();
    CHECK(b.counters().events_published >= 100);
}

TEST_CASE("publish never blocks: past the queue's cap events are dropped and counted", "[zmq]") {
    fake_service service;
    auto opts = local_options();
    opts.high_water_mark = 10;
    bridge b(opts, service.submit()); // not started: nothing drains the queue
    std::vector<opel::core::event> events;
    for (int seq = 1; seq <= 100; ++seq)
        events.push_back(make_event(seq, "status.C82001"));
    b.publish(std::move(events));
    CHECK(b.counters().events_dropped == 90);
    b.start();
    b.stop();
    CHECK(b.counters().events_published == 10);
}

TEST_CASE("CURVE: a practice's key may submit but not subscribe, the team's may both",
          "[zmq]") {
    const auto [server_pub, server_sec] = opel::zmq::generate_curve_keypair();
    const auto [practice_pub, practice_sec] = opel::zmq::generate_curve_keypair();
    const auto [team_pub, team_sec] = opel::zmq::generate_curve_keypair();
    const auto [stranger_pub, stranger_sec] = opel::zmq::generate_curve_keypair();
    temp_dir dir;
    auto opts = local_options();
    opts.curve = opel::config::curve_config{dir.write("server.key", server_sec + "\n"),
                                            {practice_pub, team_pub}, {team_pub}};
    fake_service service;
    bridge b(opts, service.submit());
    b.start();
    zmq::context_t ctx;
    auto secure = [&](zmq::socket_type type, const std::string& pub, const std::string& sec) {
        zmq::socket_t s(ctx, type);
        s.set(zmq::sockopt::linger, 0);
        s.set(zmq::sockopt::curve_serverkey, server_pub);
        s.set(zmq::sockopt::curve_publickey, pub);
        s.set(zmq::sockopt::curve_secretkey, sec);
        return s;
    };

    auto practice = secure(zmq::socket_type::req, practice_pub, practice_sec);
    practice.connect(b.ingest_endpoint());
    CHECK(round_trip(practice, "let me in").at("status").as_int64() == 201);

    // The same key on the PUB: refused at the handshake, told so by ZeroMQ.
    auto snoop = secure(zmq::socket_type::sub, practice_pub, practice_sec);
    client_events snoop_events(ctx, snoop, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    snoop.set(zmq::sockopt::subscribe, "");
    snoop.connect(b.publish_endpoint());
    CHECK(snoop_events.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH));

    // The team's key may do both.
    auto team_sub = secure(zmq::socket_type::sub, team_pub, team_sec);
    team_sub.set(zmq::sockopt::subscribe, "");
    team_sub.connect(b.publish_endpoint());
    await_subscription(b, team_sub);
    auto team_req = secure(zmq::socket_type::req, team_pub, team_sec);
    team_req.connect(b.ingest_endpoint());
    CHECK(round_trip(team_req, "the team").at("status").as_int64() == 201);

    // A stranger's key is refused on ingest; a client without CURVE fails
    // its handshake before any key is asked for.
    auto stranger = secure(zmq::socket_type::dealer, stranger_pub, stranger_sec);
    client_events stranger_events(ctx, stranger, ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
    stranger.connect(b.ingest_endpoint());
    send(stranger, {"let me in too"});
    CHECK(stranger_events.wait_for(ZMQ_EVENT_HANDSHAKE_FAILED_AUTH));
    zmq::socket_t plain(ctx, zmq::socket_type::dealer);
    plain.set(zmq::sockopt::linger, 0);
    client_events plain_events(ctx, plain, ZMQ_EVENT_DISCONNECTED);
    plain.connect(b.ingest_endpoint());
    send(plain, {"no keys at all"});
    CHECK(plain_events.wait_for(ZMQ_EVENT_DISCONNECTED));

    b.stop();
    CHECK(b.counters().requests_received == 2);
    CHECK(b.counters().connections_refused >= 2);
}

TEST_CASE("stop() sends the replies already queued, then later answers are dropped", "[zmq]") {
    fake_service service;
    auto b = std::make_unique<bridge>(local_options(), service.submit());
    b->start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b->ingest_endpoint());
    constexpr std::size_t n = 20;
    for (std::size_t i = 0; i <= n; ++i)
        send(dealer, {"tag-" + std::to_string(i), "hold " + std::to_string(i)});
    REQUIRE(service.wait_held(n + 1));
    auto held = service.take_held();
    for (std::size_t i = 0; i < n; ++i)
        held[i](answer_for("hold"));
    b->stop();
    b->stop();
    held[n](answer_for("too late")); // after stop: dropped, harmless
    b->publish({make_event(1, "status.C82001")});

    std::set<std::string> tags;
    for (std::size_t i = 0; i < n; ++i) {
        auto got = receive(dealer);
        REQUIRE(got);
        tags.insert(got->at(0));
    }
    CHECK(tags.size() == n);
    CHECK(b->counters().replies_sent == n);
    b.reset();
    CHECK_FALSE(receive(dealer, 100ms));
}

TEST_CASE("a service that throws gets its client a 503, and the bridge carries on", "[zmq]") {
    std::atomic<int> calls{0};
    bridge b(local_options(), [&](std::string payload, std::string, done_fn done) {
        if (calls++ == 0) throw std::runtime_error("store unavailable");
        done(answer_for(payload));
    });
    b.start();
    zmq::context_t ctx;
    auto req = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    const auto failed = round_trip(req, "first");
    CHECK(failed.at("status").as_int64() == 503);
    CHECK(failed.at("error").at("code").as_string() == "unavailable");
    CHECK(round_trip(req, "second").at("status").as_int64() == 201);
}

TEST_CASE("a message past its frame count or total size is refused, its envelope not echoed",
          "[zmq][hostile]") {
    opel::test::log_capture logs;
    fake_service service;
    auto o = local_options();
    o.max_frames = 16;
    o.max_message_bytes = 1024 * 1024;
    bridge b(o, service.submit());
    b.start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b.ingest_endpoint());

    // 40 frames: once echoed back as a 40-frame envelope.
    send(dealer, std::vector<std::string>(40, "frame"));
    auto got = receive(dealer);
    REQUIRE(got);
    REQUIRE(got->size() == 1); // the body alone: no frame of the message comes back
    CHECK(reply_object(got->back()).at("status").as_int64() == 400);
    CHECK(reply_object(got->back()).at("error").at("code") == "too_many_frames");

    // Three frames of 512 KiB: each within ZMQ_MAXMSGSIZE, too much together.
    send(dealer, std::vector<std::string>(3, std::string(512 * 1024, 'x')));
    got = receive(dealer);
    REQUIRE(got);
    REQUIRE(got->size() == 1);
    CHECK(reply_object(got->back()).at("status").as_int64() == 413);

    // A REQ client keeps its delimiter, and the bridge carries on.
    auto req = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    CHECK(round_trip(req, "still here").at("status").as_int64() == 201);
    // Refusals are logged with the peer's address, once a minute each.
    CHECK(logs.count("refused (too_many_frames)") == 1);
    CHECK(logs.text().find("from 127.0.0.1") != std::string::npos);
    send(dealer, std::vector<std::string>(40, "frame"));
    REQUIRE(receive(dealer));
    CHECK(logs.count("refused (too_many_frames)") == 1);
}

TEST_CASE("past max_connections a connection is refused at its handshake until one closes",
          "[zmq][hostile]") {
    opel::test::log_capture logs;
    fake_service service;
    auto o = local_options();
    o.max_connections = 2;
    // libzmq closes a connection refused with a temporary failure (ZAP 300)
    // at its handshake deadline, which is 10 s unless told otherwise.
    o.handshake_timeout = 1000ms;
    bridge b(o, service.submit());
    b.start();
    zmq::context_t ctx;
    auto first = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    CHECK(round_trip(first, "one").at("status").as_int64() == 201);
    auto second = client(ctx, zmq::socket_type::req, b.ingest_endpoint());
    CHECK(round_trip(second, "two").at("status").as_int64() == 201);

    // A third is refused at its handshake and closed at the deadline: a
    // temporary refusal, so ZeroMQ keeps its message and retries.
    zmq::socket_t third(ctx, zmq::socket_type::dealer);
    third.set(zmq::sockopt::linger, 0);
    client_events third_events(ctx, third, ZMQ_EVENT_DISCONNECTED);
    third.connect(b.ingest_endpoint());
    send(third, {"three"});
    REQUIRE(third_events.wait_for(ZMQ_EVENT_DISCONNECTED));
    CHECK(b.counters().connections_refused >= 1);
    CHECK(b.counters().requests_received == 2);
    CHECK(logs.count("refused: too many connections") == 1); // then debug, until one is let in
    CHECK(logs.text().find("connection from 127.0.0.1 refused") != std::string::npos);

    // One of the two goes: the third's next try is let in and answered.
    first.close();
    const auto got = receive(third);
    REQUIRE(got);
    CHECK(reply_object(got->back()).at("status").as_int64() == 201);

    // The publish socket has a cap of its own.
    auto sub1 = client(ctx, zmq::socket_type::sub, b.publish_endpoint());
    auto sub2 = client(ctx, zmq::socket_type::sub, b.publish_endpoint());
    sub1.set(zmq::sockopt::subscribe, "");
    sub2.set(zmq::sockopt::subscribe, "");
    await_subscription(b, sub1);
    await_subscription(b, sub2);
    zmq::socket_t sub3(ctx, zmq::socket_type::sub);
    sub3.set(zmq::sockopt::linger, 0);
    client_events sub3_events(ctx, sub3, ZMQ_EVENT_DISCONNECTED);
    sub3.connect(b.publish_endpoint());
    CHECK(sub3_events.wait_for(ZMQ_EVENT_DISCONNECTED));
}

TEST_CASE("every ingest message counts against its peer address's bucket", "[zmq][hostile]") {
    opel::test::log_capture logs;
    fake_service service;
    opel::core::manual_clock clock(opel::core::time_point{}); // still: no bucket refills
    auto o = local_options();
    o.per_address = {.rate = 1, .burst = 3, .exempt = {}};
    o.clock = &clock;
    bridge b(o, service.submit());
    b.start();
    zmq::context_t ctx;
    auto dealer = client(ctx, zmq::socket_type::dealer, b.ingest_endpoint());
    for (int i = 0; i < 5; ++i)
        send(dealer, {"tag-" + std::to_string(i), "payload"});
    std::map<std::string, json::object> answers;
    for (int i = 0; i < 5; ++i) {
        const auto got = receive(dealer);
        REQUIRE(got);
        REQUIRE(got->size() == 2);
        answers[got->at(0)] = reply_object(got->at(1));
    }
    // The first three in the order sent; the two past the burst get 429.
    for (int i = 0; i < 5; ++i) {
        const auto& a = answers.at("tag-" + std::to_string(i));
        CHECK(a.at("status").as_int64() == (i < 3 ? 201 : 429));
        if (i >= 3) CHECK(a.at("error").at("code") == "rate_limited");
    }
    CHECK(b.counters().rate_limited == 2);
    // Logged with the address, once a minute per address.
    CHECK(logs.count("message from 127.0.0.1 refused (rate_limited)") == 1);

    // Another address has a bucket of its own (a source address on loopback).
    auto other = client(ctx, zmq::socket_type::req,
                        "tcp://127.0.0.2:0;" + b.ingest_endpoint().substr(6));
    CHECK(round_trip(other, "from elsewhere").at("status").as_int64() == 201);
    const auto peers = service.peers();
    CHECK(std::count(peers.begin(), peers.end(), "127.0.0.1") == 3);
    CHECK(std::count(peers.begin(), peers.end(), "127.0.0.2") == 1);

    // New limits take effect at once: exempt now, the first address is let through.
    b.set_address_limits({.rate = 1, .burst = 3, .exempt = {"127.0.0.1"}});
    send(dealer, {"tag-5", "payload"});
    const auto after = receive(dealer);
    REQUIRE(after);
    CHECK(reply_object(after->back()).at("status").as_int64() == 201);
}
