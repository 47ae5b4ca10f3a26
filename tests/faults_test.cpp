// Storage faults through the real app: a full disk (a real SQLITE_FULL, from
// lowering the write connection's max_page_count) and a read-only database (a
// real SQLITE_READONLY, from query_only; chmod would not stop a root test run).
// Ingest answers 503 over HTTP and ZeroMQ, nothing of a refused submission is
// stored or published, reads go on, /healthz and /metrics show it, and the
// daemon recovers by itself once writes succeed again.
#include "support/test_daemon.hpp"

#include <zmq.hpp>

#include <future>

using namespace opel::test;

namespace {

/// Runs `sql` on the daemon's write connection, between transactions.
void on_writer(test_daemon& d, const std::string& sql) {
    auto done = std::make_shared<std::promise<bool>>();
    auto f = done->get_future();
    REQUIRE(d.daemon().store().maintain([sql](opel::store::sqlite::db& db) { db.exec(sql); },
                                        [done](bool ok) { done->set_value(ok); }));
    REQUIRE(f.get());
}

std::string body(int i) {
    return R"({"practice":"C82001","level":)" + std::to_string(1 + i % 4) + R"(,"note":")" +
           std::string(1500, static_cast<char>('a' + i % 26)) + "\"}";
}

std::map<std::string, std::string> key(int i) {
    return {{"Idempotency-Key", "k-" + std::to_string(i)}};
}

std::vector<std::int64_t> stored_ids(http_client& c) {
    std::vector<std::int64_t> ids;
    const auto list = c.get("/v1/submissions?limit=1000", team_token).json();
    for (const auto& s : list.at("submissions").as_array())
        ids.push_back(s.at("id").as_int64());
    std::sort(ids.begin(), ids.end());
    return ids;
}

/// Every event, checked gap-free from seq 1; the number of status events.
std::size_t status_events(http_client& c) {
    const auto events = c.get("/v1/events?since_seq=0&limit=1000", team_token).json();
    std::int64_t expect = 1;
    std::size_t statuses = 0;
    for (const auto& e : events.at("events").as_array()) {
        CHECK(e.at("seq").as_int64() == expect++);
        if (std::string_view(e.at("topic").as_string()).starts_with("status."))
            ++statuses;
    }
    return statuses;
}

std::string metric(http_client& c, const std::string& name) {
    const auto text = c.get("/metrics").body;
    const auto at = text.find("\n" + name + " ");
    REQUIRE(at != std::string::npos);
    const auto from = at + name.size() + 2;
    return text.substr(from, text.find('\n', from) - from);
}

boost::json::value zmq_submit(test_daemon& d, int level, const std::string& note = "") {
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::rcvtimeo, 10000);
    req.set(zmq::sockopt::linger, 0);
    req.connect(d.daemon().zmq_ingest_endpoint());
    const std::string payload = R"({"practice":"C82001","level":)" + std::to_string(level) +
                                (note.empty() ? "" : R"(,"note":")" + note + "\"") +
                                R"(,"token":")" + practice_token + "\"}";
    req.send(zmq::buffer(payload), zmq::send_flags::none);
    zmq::message_t reply;
    REQUIRE(req.recv(reply));
    return boost::json::parse(reply.to_string());
}

} // namespace

TEST_CASE("a full disk turns ingest into 503, keeps reads, and recovers by itself",
          "[faults]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", body(0), practice_token, key(0)).status == 201);

    // The file may not grow past its current size: the first submission that
    // needs a new page gets SQLITE_FULL, as on a full disk.
    on_writer(d, "PRAGMA max_page_count = 1");
    std::vector<std::int64_t> acknowledged{1};
    int refused = -1;
    for (int i = 1; i < 200 && refused < 0; ++i) {
        const auto a = c.post("/v1/submissions", body(i), practice_token, key(i));
        if (a.status == 201) {
            acknowledged.push_back(a.json().at("id").as_int64());
            continue;
        }
        REQUIRE(a.status == 503);
        const auto e = a.json().at("error");
        CHECK(e.at("code") == "store_unavailable");
        CHECK(std::string(e.at("message").as_string()).find("full") != std::string::npos);
        CHECK(a.header("Retry-After") == "5");
        refused = i;
    }
    REQUIRE(refused > 0);

    // Reads go on and show only what was acknowledged; nothing was published
    // for the refused one and the log has no gap.
    CHECK(stored_ids(c) == acknowledged);
    CHECK(status_events(c) == acknowledged.size());
    CHECK(c.get("/v1/status", team_token).status == 200);
    const auto health = c.get("/healthz");
    CHECK(health.status == 503);
    CHECK(health.json().at("status") == "degraded");
    CHECK(metric(c, "opeld_store_writable") == "0");
    CHECK(metric(c, "opeld_store_storage_faults_total") != "0");

    // ZeroMQ ingest answers the same. Which table needs the next page
    // depends on the file's layout, so a smaller report may still fit where
    // the refused one did not: it is sent until it is refused too.
    bool zmq_refused = false;
    for (int i = 0; i < 200 && !zmq_refused; ++i) {
        const auto z = zmq_submit(d, 4, std::string(1500, 'z'));
        if (z.at("status") == 201) {
            acknowledged.push_back(z.at("id").as_int64());
            continue;
        }
        CHECK(z.at("status") == 503);
        CHECK(z.at("error").at("code") == "store_unavailable");
        zmq_refused = true;
    }
    CHECK(zmq_refused);

    // Space returns: the next write succeeds without a restart, and the
    // refused key was never remembered, so it is stored afresh, not replayed.
    on_writer(d, "PRAGMA max_page_count = 1073741823");
    const auto again = c.post("/v1/submissions", body(refused), practice_token, key(refused));
    REQUIRE(again.status == 201);
    CHECK(again.header("Idempotent-Replayed").empty());
    acknowledged.push_back(again.json().at("id").as_int64());
    CHECK(stored_ids(c) == acknowledged);
    CHECK(status_events(c) == acknowledged.size());
    CHECK(c.get("/healthz").status == 200);
    CHECK(metric(c, "opeld_store_writable") == "1");
    CHECK(zmq_submit(d, 2).at("status") == 201);
}

TEST_CASE("a read-only database turns ingest into 503 and recovers by itself", "[faults]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", body(0), practice_token).status == 201);
    on_writer(d, "PRAGMA query_only = 1");
    const auto a = c.post("/v1/submissions", body(1), practice_token, key(1));
    REQUIRE(a.status == 503);
    CHECK(std::string(a.json().at("error").at("message").as_string()).find("readonly") !=
          std::string::npos);
    CHECK(zmq_submit(d, 3).at("status") == 503);
    CHECK(c.get("/healthz").status == 503);
    CHECK(stored_ids(c) == std::vector<std::int64_t>{1});
    CHECK(status_events(c) == 1);

    on_writer(d, "PRAGMA query_only = 0");
    const auto b = c.post("/v1/submissions", body(1), practice_token, key(1));
    CHECK(b.status == 201);
    CHECK(b.header("Idempotent-Replayed").empty());
    CHECK(c.get("/healthz").status == 200);
    CHECK(stored_ids(c).size() == 2);
}

TEST_CASE("after a failed commit the wait for support is kept", "[faults][support]") {
    test_daemon d; // Wednesday 2026-11-25 10:00
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":4})", practice_token)
                .status == 201);
    // A refused submission rebuilds the engine from the store.
    on_writer(d, "PRAGMA query_only = 1");
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82002","level":2})", other_practice_token)
                .status == 503);
    on_writer(d, "PRAGMA query_only = 0");
    // Friday 10:00: two working days at 4 with nothing offered.
    d.clock().advance(std::chrono::hours{48});
    d.daemon().run_timers().wait();
    bool unsupported = false;
    const auto alerts = c.get("/v1/alerts", team_token).json();
    for (const auto& a : alerts.at("alerts").as_array())
        unsupported = unsupported || a.at("rule") == "practice-unsupported";
    CHECK(unsupported);
}

TEST_CASE("a store read that fails answers 503, on every reading route", "[faults]") {
    test_daemon d;
    auto c = d.client();
    // Each table gone from under the reader: the query throws on the reader
    // thread, where an unanswered call would otherwise hang its client.
    const std::vector<std::pair<std::string, std::string>> routes{
        {"alerts", "/v1/alerts"},
        {"events", "/v1/events"},
        {"audit", "/v1/audit"},
        {"silences", "/v1/silences"}};
    for (const auto& [table, path] : routes) {
        INFO(path);
        on_writer(d, "ALTER TABLE " + table + " RENAME TO " + table + "_away");
        const auto a = c.get(path, admin_token);
        CHECK(a.status == 503);
        CHECK(a.json().at("error").at("code") == "store_unavailable");
        on_writer(d, "ALTER TABLE " + table + "_away RENAME TO " + table);
        CHECK(c.get(path, admin_token).status == 200);
    }
}
