// Webhooks through the app: a real HTTP receiver on 127.0.0.1 records what
// the daemon posts and answers a scripted status per request. Retries are
// driven by the manual clock and run_timers(); waits are on the receiver's
// condition variable with a timeout, never sleeps.
#include "core/crypto.hpp"
#include "support/test_daemon.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <condition_variable>
#include <deque>
#include <mutex>

using namespace opel::test;
using namespace std::chrono_literals;
namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

/// One request as the receiver got it.
struct received {
    std::string target;
    std::string body;
    std::string signature;
    std::string seq_header;
    std::int64_t seq() const { return boost::json::parse(body).at("seq").as_int64(); }
};

/// An HTTP server on its own thread: answers each request with the next
/// scripted status (then `fallback`) and records it.
class receiver {
public:
    explicit receiver(std::deque<int> script = {}, int fallback = 200)
        : script_(std::move(script)), fallback_(fallback),
          acceptor_(ioc_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
        thread_ = std::thread([this] { serve(); });
    }
    ~receiver() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        // Wakes the blocking accept so the thread sees the flag.
        tcp::socket poke(ioc_);
        boost::system::error_code ignored;
        poke.connect(acceptor_.local_endpoint(), ignored);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port()) + "/hook"; }
    /// Answers `status` from now on once the script is used up.
    void set_fallback(int status) {
        std::lock_guard lock(mu_);
        fallback_ = status;
    }
    /// Waits until `n` requests have come (false after 10 s).
    bool wait_for(std::size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 10s, [&] { return got_.size() >= n; });
    }
    std::vector<received> requests() {
        std::lock_guard lock(mu_);
        return got_;
    }

private:
    void serve() {
        for (;;) {
            tcp::socket s(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(s, ec);
            {
                std::lock_guard lock(mu_);
                if (stopping_)
                    return;
            }
            if (!ec)
                answer(s);
        }
    }
    void answer(tcp::socket& s) {
        boost::beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        boost::system::error_code ec;
        bhttp::read(s, buffer, req, ec);
        if (ec)
            return;
        int status = 0;
        {
            std::lock_guard lock(mu_);
            got_.push_back({std::string(req.target()), req.body(),
                            std::string(req["X-Opel-Signature"]),
                            std::string(req["X-Opel-Event-Seq"])});
            status = script_.empty() ? fallback_ : script_.front();
            if (!script_.empty())
                script_.pop_front();
        }
        cv_.notify_all();
        bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
        res.body() = "ok";
        res.prepare_payload();
        bhttp::write(s, res, ec);
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<received> got_;
    std::deque<int> script_;
    int fallback_;
    bool stopping_ = false;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::thread thread_;
};

std::string subscriber(const std::string& name, const std::string& url,
                       const std::string& audiences, const std::string& more = "") {
    return "  - name: " + name + "\n    url: " + url + "\n    audiences: [" + audiences + "]\n" +
           more;
}

config_options with_subscribers(const std::string& list) {
    return config_options{.extra = "subscribers:\n" + list};
}

void submit(http_client& c, int level, const std::string& practice = "C82001") {
    const auto a = c.post("/v1/submissions",
                          R"({"practice":")" + practice + R"(","level":)" +
                              std::to_string(level) + "}",
                          admin_token);
    REQUIRE(a.status == 201);
}

/// The /v1/subscribers entry named `name`.
boost::json::object standing(http_client& c, const std::string& name) {
    const auto a = c.get("/v1/subscribers", team_token);
    REQUIRE(a.status == 200);
    const auto body = a.json();
    for (const auto& s : body.at("subscribers").as_array())
        if (s.at("name") == name.c_str())
            return s.as_object();
    FAIL("no subscriber " << name);
    return {};
}

/// A port with nothing listening: connecting to it is refused.
std::uint16_t unused_port() {
    boost::asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

} // namespace

TEST_CASE("a level-4 alert is posted as the Event JSON, signed", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(
        subscriber("team", r.url(), "primary_care_team", "    secret: s3cret\n")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    const auto got = r.requests().at(0);
    CHECK(got.target == "/hook");
    const auto events = c.get("/v1/events?topic=alert.", team_token).json().at("events");
    REQUIRE(events.as_array().size() == 1);
    CHECK(boost::json::parse(got.body) == events.as_array().at(0));
    CHECK(events.as_array().at(0).at("data").at("rule") == "practice-level-4");
    CHECK(got.signature == "sha256=" + opel::core::hmac_sha256_hex("s3cret", got.body));
    CHECK(got.seq_header == std::to_string(got.seq()));
    d.daemon().run_timers().wait();
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_success").is_string());
    CHECK(s.at("last_error").is_null());
    CHECK_FALSE(s.contains("secret"));
    CHECK(c.get("/v1/subscribers", practice_token).status == 403);
}

TEST_CASE("a control_room subscriber gets level-4 practice alerts, not level-3", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(subscriber("control", r.url(), "control_room")));
    auto c = d.client();
    submit(c, 3, "C82001"); // practice-level-3: primary_care_team only
    submit(c, 4, "C82002"); // practice-level-4: both
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    // Deliveries go in seq order, so a routed level-3 alert would have come first.
    const auto data = boost::json::parse(r.requests().at(0).body).at("data");
    CHECK(data.at("rule") == "practice-level-4");
    CHECK(data.at("subject") == "C82002");
    d.daemon().run_timers().wait();
    CHECK(standing(c, "control").at("pending") == 0);
}

TEST_CASE("a 503 is retried with backoff until a 200", "[webhook]") {
    receiver r({503, 503});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait(); // a barrier behind the failure being written
    auto s = standing(c, "team");
    CHECK(s.at("pending") == 1);
    CHECK(s.at("last_error") == "HTTP 503");
    CHECK(s.at("last_success").is_null());
    for (std::size_t n = 2; n <= 3; ++n) {
        d.daemon().run_timers().wait(); // the last failure is written before time moves
        d.clock().advance(10min);
        d.daemon().run_timers().wait();
        REQUIRE(r.wait_for(n));
    }
    d.daemon().run_timers().wait();
    const auto got = r.requests();
    REQUIRE(got.size() == 3);
    CHECK(got[0].body == got[1].body);
    CHECK(got[1].body == got[2].body);
    s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_success").is_string());
    CHECK(s.at("last_error") == "HTTP 503");
}

TEST_CASE("a retried delivery holds back the later ones: seq order", "[webhook]") {
    receiver r({503});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4, "C82001");
    submit(c, 4, "C82002");
    const auto pending = standing(c, "team").at("pending").as_int64();
    REQUIRE(pending >= 2);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    CHECK(r.requests().size() == 1); // nothing overtakes the one being retried
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1 + static_cast<std::size_t>(pending)));
    const auto got = r.requests();
    CHECK(got[0].seq() == got[1].seq());
    for (std::size_t i = 2; i < got.size(); ++i)
        CHECK(got[i].seq() > got[i - 1].seq());
}

TEST_CASE("pending deliveries resume after a restart", "[webhook]") {
    receiver r({}, 503);
    std::string first_body;
    auto first = std::make_unique<test_daemon>(
        with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    {
        auto c = first->client();
        submit(c, 4);
    }
    first->daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    first->daemon().run_timers().wait();
    first->stop();
    r.set_fallback(200);
    test_daemon second(*first, test_epoch() + 10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    const auto got = r.requests();
    CHECK(got[0].body == got[1].body);
    second.daemon().run_timers().wait();
    auto c = second.client();
    CHECK(standing(c, "team").at("pending") == 0);
}

TEST_CASE("a delivery not made within 24 hours is marked failed", "[webhook]") {
    receiver r({}, 503);
    // A Friday, so the 25 hours end on a Saturday with no daily summary to send.
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")),
                  test_epoch() + 48h);
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    d.clock().advance(25h);
    d.daemon().run_timers().wait();
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("failed") == 1);
    CHECK(s.at("last_error") == "HTTP 503");
    CHECK(r.requests().size() == 1); // given up, not tried again
}

TEST_CASE("a stalled subscriber does not delay another", "[webhook]") {
    receiver live;
    // Listening but never accepting: the connection opens, no answer comes.
    boost::asio::io_context ioc;
    tcp::acceptor stalled(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto stalled_url =
        "http://127.0.0.1:" + std::to_string(stalled.local_endpoint().port()) + "/hook";
    test_daemon d(with_subscribers(subscriber("stalled", stalled_url, "primary_care_team") +
                                   subscriber("live", live.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4, "C82001");
    submit(c, 4, "C82002");
    const auto pending = standing(c, "live").at("pending").as_int64();
    const auto started = std::chrono::steady_clock::now();
    // Not waited on: a tick waits for a lane busy with a POST, and the
    // stalled one stays busy until its 10-second response deadline.
    auto ticked = d.daemon().run_timers();
    REQUIRE(live.wait_for(static_cast<std::size_t>(pending)));
    CHECK(std::chrono::steady_clock::now() - started < 5s);
}

TEST_CASE("a refused connection is retried and reported", "[webhook]") {
    receiver live;
    const auto dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/hook";
    test_daemon d(with_subscribers(subscriber("dead", dead_url, "primary_care_team") +
                                   subscriber("live", live.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(live.wait_for(1));
    d.daemon().run_timers().wait();
    const auto dead = standing(c, "dead");
    CHECK(dead.at("pending").as_int64() >= 1);
    CHECK(dead.at("last_error").as_string().starts_with("connect"));
    CHECK(standing(c, "live").at("pending") == 0);
}

TEST_CASE("every subscriber gets the daily summary, whatever its alert filters", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(subscriber("control", r.url(), "control_room",
                                              "    min_level: 4\n    topic_prefix: alert.L4.\n")));
    auto c = d.client();
    REQUIRE(c.post("/v1/summaries/daily?date=2026-11-25", "", admin_token).status == 201);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    CHECK(boost::json::parse(r.requests().at(0).body).at("topic") == "summary.daily");
}

TEST_CASE("a subscriber removed on reload has its pending deliveries dropped", "[webhook]") {
    receiver live;
    const auto dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/hook";
    const auto gone = subscriber("gone", dead_url, "primary_care_team");
    const auto kept = subscriber("kept", live.url(), "primary_care_team");
    test_daemon d(with_subscribers(gone + kept));
    auto c = d.client();
    submit(c, 4);
    REQUIRE(standing(c, "gone").at("pending").as_int64() >= 1);
    write_config(d.dir(), with_subscribers(kept));
    d.daemon().reload();
    // Two rounds: the reload's own write is queued behind the first.
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    REQUIRE(c.get("/v1/subscribers", team_token).json().at("subscribers").as_array().size() == 1);
    write_config(d.dir(), with_subscribers(kept + gone));
    d.daemon().reload();
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    const auto s = standing(c, "gone");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("failed").as_int64() >= 1);
    CHECK(s.at("last_error") == "subscriber removed");
    REQUIRE(live.wait_for(1));
}
