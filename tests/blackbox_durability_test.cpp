// Durability under load, black-box: the built opeld is killed with SIGKILL
// while HTTP and ZeroMQ clients are submitting, then restarted on the same
// store. Every acknowledged submission must be there, by id and content;
// nothing unacknowledged may be half there (a submission without its status
// event, or an event without its submission), and seq must have no gap.
// The kill comes after a fixed number of acknowledgements, not after a time.
#include "support/process.hpp"
#include "support/test_daemon.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <atomic>
#include <map>
#include <mutex>
#include <regex>
#include <set>

using namespace opel::test;

namespace {

const std::string opeld = std::string(OPEL_BINARY_DIR) + "/opeld";

struct endpoints {
    std::uint16_t http = 0;
    std::string zmq;
};

endpoints start(child_process& p) {
    const auto line = p.wait_for_line("listening on http://", std::chrono::seconds(20));
    INFO(p.output());
    REQUIRE(line);
    std::smatch m;
    REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)$)")));
    endpoints e{static_cast<std::uint16_t>(std::stoi(m[1])), {}};
    REQUIRE(p.wait_for_line("ready", std::chrono::seconds(20)));
    const auto& out = p.output();
    REQUIRE(std::regex_search(out, m, std::regex(R"(zmq ingest (tcp://\S+))")));
    e.zmq = m[1];
    return e;
}

/// What the clients saw: every note they sent, and the id of each one
/// acknowledged with 201.
struct ledger {
    std::mutex mu;
    std::set<std::string> sent;
    std::map<std::string, std::int64_t> acknowledged; // note -> id
    std::atomic<int> http_acks{0};
    std::atomic<int> zmq_acks{0};
    std::atomic<bool> killed{false};
    pid_t victim = -1;
    std::vector<std::string> refusals; // answers other than 201 (Catch2 is not thread-safe)

    // Enough on both transports: then the kill, exactly once.
    static constexpr int http_needed = 150;
    static constexpr int zmq_needed = 300;

    void will_send(const std::string& note) {
        std::lock_guard lock(mu);
        sent.insert(note);
    }
    void refused(std::string what) {
        std::lock_guard lock(mu);
        refusals.push_back(std::move(what));
    }
    void acked(const std::string& note, std::int64_t id, std::atomic<int>& counter) {
        {
            std::lock_guard lock(mu);
            acknowledged.emplace(note, id);
        }
        ++counter;
        if (http_acks >= http_needed && zmq_acks >= zmq_needed && !killed.exchange(true))
            kill(victim, SIGKILL);
    }
};

std::string submission(const std::string& practice, const std::string& note, int level) {
    return R"({"practice":")" + practice + R"(","level":)" + std::to_string(level) +
           R"(,"themes":["workforce"],"note":")" + note + "\"";
}

void http_load(ledger& l, std::uint16_t port, const std::string& practice,
               const std::string& token, const std::string& tag) {
    try {
        http_client c(port);
        for (int i = 0; !l.killed; ++i) {
            const auto note = tag + "-" + std::to_string(i);
            l.will_send(note);
            const auto a = c.post("/v1/submissions", submission(practice, note, 1 + i % 4) + "}",
                                  token);
            if (a.status != 201)
                l.refused("HTTP " + std::to_string(a.status) + ": " + a.body);
            else
                l.acked(note, a.json().at("id").as_int64(), l.http_acks);
        }
    } catch (const std::exception&) {
        // The daemon was killed mid-request: that one is unacknowledged.
    }
}

void zmq_load(ledger& l, const std::string& endpoint) {
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.connect(endpoint);
    constexpr int window = 32;
    int next = 0;
    int in_flight = 0;
    std::map<std::string, std::string> notes; // tag frame -> note
    while (!l.killed) {
        while (in_flight < window) {
            const auto tag = std::to_string(next);
            const auto note = "zmq-" + tag;
            l.will_send(note);
            notes[tag] = note;
            const auto body = submission("C82002", note, 1 + next % 4) + R"(,"token":")" +
                              other_practice_token + "\"}";
            dealer.send(zmq::buffer(tag), zmq::send_flags::sndmore);
            dealer.send(zmq::buffer(body), zmq::send_flags::none);
            ++next;
            ++in_flight;
        }
        // Wait for an answer, looking up now and then to see whether the
        // daemon is gone (the other clients may have reached the count).
        zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(100)) == 0)
            continue;
        std::vector<zmq::message_t> reply;
        if (!zmq::recv_multipart(dealer, std::back_inserter(reply)) || reply.size() != 2)
            continue;
        --in_flight;
        const auto tag = reply[0].to_string();
        const auto answer = boost::json::parse(reply[1].to_string());
        if (answer.at("status") != 201)
            l.refused("ZeroMQ: " + reply[1].to_string());
        else
            l.acked(notes.at(tag), answer.at("id").as_int64(), l.zmq_acks);
    }
}

} // namespace

TEST_CASE("SIGKILL under HTTP and ZeroMQ load loses no acknowledged submission and leaves "
          "nothing half-written",
          "[blackbox][durability]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    ledger l;
    {
        child_process p({opeld, "--config", cfg.string()});
        const auto at = start(p);
        l.victim = p.pid();
        std::vector<std::thread> clients;
        clients.emplace_back([&] { http_load(l, at.http, "C82001", practice_token, "http-a"); });
        clients.emplace_back([&] { http_load(l, at.http, "C82001", admin_token, "http-b"); });
        clients.emplace_back([&] { zmq_load(l, at.zmq); });
        for (auto& t : clients)
            t.join();
        CHECK(p.wait() == 128 + SIGKILL);
    }
    REQUIRE(l.killed);
    for (const auto& r : l.refusals)
        UNSCOPED_INFO(r);
    CHECK(l.refusals.empty());

    child_process p({opeld, "--config", cfg.string()});
    const auto at = start(p);
    http_client c(at.http);

    // Every stored submission, by note.
    std::map<std::string, std::int64_t> stored;
    const auto listed = c.get("/v1/submissions?limit=10000", team_token);
    INFO(listed.body.substr(0, 300));
    REQUIRE(listed.status == 200);
    const auto listed_json = listed.json();
    for (const auto& s : listed_json.at("submissions").as_array()) {
        const auto note = std::string(s.at("note").as_string());
        CHECK(stored.emplace(note, s.at("id").as_int64()).second);
        CHECK(l.sent.count(note) == 1); // nothing that no client sent
    }
    for (const auto& [note, id] : l.acknowledged) {
        INFO(note);
        const auto it = stored.find(note);
        REQUIRE(it != stored.end());
        CHECK(it->second == id);
    }
    CHECK(stored.size() >= l.acknowledged.size());
    // At most the requests in flight at the kill were stored unanswered.
    CHECK(stored.size() <= l.acknowledged.size() + 2 + 32);

    // The event log: gap-free from 1, and exactly one status event for each
    // stored submission and none for anything else.
    std::set<std::int64_t> ids;
    for (const auto& [note, id] : stored)
        ids.insert(id);
    std::set<std::int64_t> with_event;
    std::int64_t seq = 0;
    for (;;) {
        const auto answer =
            c.get("/v1/events?limit=1000&since_seq=" + std::to_string(seq), team_token);
        INFO(answer.body.substr(0, 300));
        REQUIRE(answer.status == 200);
        const auto page = answer.json();
        const auto& events = page.at("events").as_array();
        for (const auto& e : events) {
            REQUIRE(e.at("seq").as_int64() == ++seq);
            if (!std::string_view(e.at("topic").as_string()).starts_with("status."))
                continue;
            const auto id = e.at("data").at("id").as_int64();
            CHECK(ids.count(id) == 1);
            CHECK(with_event.insert(id).second);
        }
        if (events.size() < 1000)
            break;
    }
    CHECK(with_event == ids);
    // The restarted daemon goes on from there.
    const auto after = c.post("/v1/submissions", submission("C82001", "after", 2) + "}",
                              practice_token);
    CHECK(after.status == 201);
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}
