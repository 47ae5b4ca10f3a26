// Integration tests of HTTP ingest and reads against the real app on port 0.
#include "support/test_daemon.hpp"

using namespace opel::test;
namespace http = boost::beast::http;

namespace {

const std::string ok_body = R"({"practice":"C82001","level":3,"themes":["workforce"]})";

std::size_t stored_count(http_client& c) {
    return c.get("/v1/submissions?limit=10000", admin_token)
        .json().at("submissions").as_array().size();
}

std::string error_code(const http_answer& a) {
    return std::string(a.json().at("error").at("code").as_string());
}

} // namespace

TEST_CASE("healthz answers without a token", "[http]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.get("/healthz");
    CHECK(a.status == 200);
    CHECK(a.json().at("status") == "ok");
}

TEST_CASE("a valid submission is stored and answered 201 with the contract's fields", "[http]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.post("/v1/submissions", ok_body, practice_token);
    REQUIRE(a.status == 201);
    const auto body = a.json().as_object();
    CHECK(body.at("id").as_int64() > 0);
    CHECK(body.at("practice") == "C82001");
    CHECK(body.at("level") == 3);
    CHECK(body.at("themes").as_array().size() == 1);
    CHECK(body.contains("received_at"));
    CHECK(body.at("alerts").is_array());
    const auto list = c.get("/v1/submissions", team_token).json();
    REQUIRE(list.at("submissions").as_array().size() == 1);
    CHECK(list.at("submissions").at(0).at("id") == body.at("id"));
}

TEST_CASE("a request without a valid token is refused 401 and stores nothing", "[http][auth]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/submissions", ok_body).status == 401);
    CHECK(c.post("/v1/submissions", ok_body, "not-a-token").status == 401);
    const auto a = c.get("/v1/status", "wrong");
    CHECK(a.status == 401);
    CHECK(error_code(a) == "unauthenticated");
    CHECK(stored_count(c) == 0);
}

TEST_CASE("a practice token may submit only for its own practice", "[http][auth]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.post("/v1/submissions", ok_body, other_practice_token);
    CHECK(a.status == 403);
    CHECK(a.json().at("error").at("field") == "practice");
    CHECK(stored_count(c) == 0);
}

TEST_CASE("team and control room tokens may read but not submit", "[http][auth]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/submissions", ok_body, team_token).status == 403);
    CHECK(c.post("/v1/submissions", ok_body, control_token).status == 403);
    CHECK(c.get("/v1/status", team_token).status == 200);
    CHECK(c.get("/v1/status", control_token).status == 200);
}

TEST_CASE("an admin token may submit for any practice", "[http][auth]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/submissions", ok_body, admin_token).status == 201);
}

TEST_CASE("a practice token reads its own submissions and nothing else", "[http][auth]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82002","level":1})",
                   other_practice_token).status == 201);
    const auto own = c.get("/v1/submissions?practice=C82001", practice_token);
    CHECK(own.status == 200);
    CHECK(own.json().at("submissions").as_array().size() == 1);
    const auto unnamed = c.get("/v1/submissions", practice_token);
    CHECK(unnamed.json().at("submissions").as_array().size() == 1);
    CHECK(c.get("/v1/submissions?practice=C82002", practice_token).status == 403);
    CHECK(c.get("/v1/status", practice_token).status == 403);
}

TEST_CASE("malformed JSON is refused 400 in the contract's error shape", "[http][validation]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.post("/v1/submissions", R"({"practice":"C82001","level":)", practice_token);
    CHECK(a.status == 400);
    const auto err = a.json().at("error");
    CHECK(err.at("code").is_string());
    CHECK(err.at("message").as_string().size() > 10);
    CHECK(stored_count(c) == 0);
}

TEST_CASE("out-of-range level, unknown practice and unknown theme are 422", "[http][validation]") {
    test_daemon d;
    auto c = d.client();
    const auto level = c.post("/v1/submissions", R"({"practice":"C82001","level":5})", admin_token);
    CHECK(level.status == 422);
    CHECK(level.json().at("error").at("field") == "level");
    const auto practice =
        c.post("/v1/submissions", R"({"practice":"C89999","level":2})", admin_token);
    CHECK(practice.status == 422);
    CHECK(practice.json().at("error").at("field") == "practice");
    const auto theme = c.post("/v1/submissions",
                              R"({"practice":"C82001","level":2,"themes":["golf"]})", admin_token);
    CHECK(theme.status == 422);
    CHECK(theme.json().at("error").at("field") == "themes");
    CHECK(stored_count(c) == 0);
}

TEST_CASE("duplicate keys, non-integer levels and unknown fields are 400", "[http][validation]") {
    test_daemon d;
    auto c = d.client();
    for (const char* body : {R"({"practice":"C82001","level":3,"level":4})",
                             R"({"practice":"C82001","level":3.0})",
                             R"({"practice":"C82001","level":"3"})",
                             R"({"practice":"C82001","level":true})",
                             R"({"practice":"C82001","level":3,"colour":"red"})",
                             R"({"practice":"C82001","level":3,"note":"\ud800"})",
                             R"([1,2,3])"}) {
        INFO(body);
        CHECK(c.post("/v1/submissions", body, practice_token).status == 400);
    }
    CHECK(stored_count(c) == 0);
}

TEST_CASE("a body over 64 KiB is refused 413", "[http][limits]") {
    test_daemon d;
    auto c = d.client();
    const std::string note(70 * 1024, 'x');
    const auto a = c.post("/v1/submissions",
                          R"({"practice":"C82001","level":3,"note":")" + note + "\"}",
                          practice_token);
    CHECK(a.status == 413);
    CHECK(d.client().get("/healthz").status == 200);
}

TEST_CASE("a body that is not JSON by its content type is refused 415", "[http][validation]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.call(http::verb::post, "/v1/submissions", ok_body, practice_token,
                          {{"Content-Type", "text/plain"}});
    CHECK(a.status == 415);
}

TEST_CASE("unknown paths are 404 and wrong methods 405 with Allow", "[http]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.get("/v1/nothing", team_token).status == 404);
    const auto a = c.call(http::verb::delete_, "/v1/submissions", {}, team_token);
    CHECK(a.status == 405);
    CHECK(a.header("Allow") == "GET, POST");
}

TEST_CASE("a repeated idempotency key with the same content replays the first answer",
          "[http][idempotency]") {
    test_daemon d;
    auto c = d.client();
    const std::string body =
        R"({"practice":"C82001","level":3,"idempotency_key":"k-1"})";
    const auto first = c.post("/v1/submissions", body, practice_token);
    REQUIRE(first.status == 201);
    d.clock().advance(std::chrono::minutes(5));
    const auto again = c.post("/v1/submissions", body, practice_token);
    CHECK(again.status == 201);
    CHECK(again.body == first.body);
    CHECK(again.header("Idempotent-Replayed") == "true");
    CHECK(first.header("Idempotent-Replayed").empty());
    CHECK(stored_count(c) == 1);
}

TEST_CASE("a repeated idempotency key with different content is 409", "[http][idempotency]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":3,"idempotency_key":"k"})",
                   practice_token).status == 201);
    const auto a = c.post("/v1/submissions",
                          R"({"practice":"C82001","level":4,"idempotency_key":"k"})",
                          practice_token);
    CHECK(a.status == 409);
    CHECK(stored_count(c) == 1);
}

TEST_CASE("the Idempotency-Key header works like the field", "[http][idempotency]") {
    test_daemon d;
    auto c = d.client();
    const auto first =
        c.post("/v1/submissions", ok_body, practice_token, {{"Idempotency-Key", "hdr-1"}});
    REQUIRE(first.status == 201);
    const auto again =
        c.post("/v1/submissions", ok_body, practice_token, {{"Idempotency-Key", "hdr-1"}});
    CHECK(again.header("Idempotent-Replayed") == "true");
    CHECK(again.body == first.body);
    const auto clash = c.post("/v1/submissions",
                              R"({"practice":"C82001","level":3,"idempotency_key":"a"})",
                              practice_token, {{"Idempotency-Key", "b"}});
    CHECK(clash.status == 400);
    CHECK(stored_count(c) == 1);
}

TEST_CASE("the Idempotency-Key header is checked like the field, in characters",
          "[http][idempotency]") {
    test_daemon d;
    auto c = d.client();
    const auto header = [&](const std::string& key) {
        return c.post("/v1/submissions", ok_body, practice_token, {{"Idempotency-Key", key}});
    };
    // 128 characters of two bytes each: within the limit, which counts characters.
    std::string wide;
    for (int i = 0; i < 128; ++i)
        wide += "\xc3\xa9";
    CHECK(header(wide).status == 201);
    const auto too_long = header(wide + "\xc3\xa9");
    CHECK(too_long.status == 422);
    CHECK(error_code(too_long) == "too_long");
    const auto not_utf8 = header("key-\xff");
    CHECK(not_utf8.status == 400);
    CHECK(error_code(not_utf8) == "invalid_utf8");
    CHECK(not_utf8.json().at("error").at("field") == "idempotency_key");
    CHECK(stored_count(c) == 1);
}

TEST_CASE("idempotency keys belong to one practice", "[http][idempotency]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/submissions", R"({"practice":"C82001","level":2,"idempotency_key":"same"})",
                 practice_token).status == 201);
    const auto other = c.post("/v1/submissions",
                              R"({"practice":"C82002","level":2,"idempotency_key":"same"})",
                              other_practice_token);
    CHECK(other.status == 201);
    CHECK(other.header("Idempotent-Replayed").empty());
    CHECK(stored_count(c) == 2);
}

TEST_CASE("submissions page newest first with a cursor", "[http][paging]") {
    test_daemon d;
    auto c = d.client();
    for (int i = 0; i < 5; ++i) {
        REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
        d.clock().advance(std::chrono::seconds(1));
    }
    std::vector<std::int64_t> ids;
    std::string target = "/v1/submissions?limit=2";
    for (int page = 0; page < 5; ++page) {
        const auto a = c.get(target, team_token).json();
        for (const auto& s : a.at("submissions").as_array())
            ids.push_back(s.at("id").as_int64());
        if (a.at("next").is_null())
            break;
        target = "/v1/submissions?limit=2&cursor=" + std::string(a.at("next").as_string());
    }
    CHECK(ids == std::vector<std::int64_t>{5, 4, 3, 2, 1});
}

TEST_CASE("submissions filter by since and until, and refuse bad parameters", "[http][paging]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    d.clock().advance(std::chrono::hours(2));
    REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    const auto since = c.get("/v1/submissions?since=2026-11-25T11:00:00Z", team_token).json();
    CHECK(since.at("submissions").as_array().size() == 1);
    const auto until = c.get("/v1/submissions?until=2026-11-25T11:00:00Z", team_token).json();
    CHECK(until.at("submissions").as_array().size() == 1);
    CHECK(c.get("/v1/submissions?since=yesterday", team_token).status == 400);
    CHECK(c.get("/v1/submissions?limit=0", team_token).status == 400);
    CHECK(c.get("/v1/submissions?limit=10001", team_token).status == 400);
    CHECK(c.get("/v1/submissions?cursor=zzz", team_token).status == 400);
    CHECK(c.get("/v1/submissions?colour=red", team_token).status == 400);
}

TEST_CASE("status shows every practice and the system level", "[http][status]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":4})", admin_token).status ==
            201);
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82002","level":1})", admin_token).status ==
            201);
    const auto s = c.get("/v1/status", team_token).json();
    const auto& system = s.at("system");
    CHECK(system.at("practices") == 132);
    CHECK(system.at("reporting") == 2);
    CHECK(system.at("counts").at("4") == 1);
    CHECK(system.at("counts").at("1") == 1);
    CHECK(system.at("level").is_null()); // 2 reporting: too few for a level (min_reporting 3)
    const auto& practices = s.at("practices").as_array();
    REQUIRE(practices.size() == 132);
    CHECK(practices.at(0).at("code") == "C82001");
    CHECK(practices.at(0).at("level") == 4);
    CHECK(practices.at(2).at("level").is_null());
}

TEST_CASE("a report older than 7 days is stale in status", "[http][status]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    d.clock().advance(std::chrono::hours(24 * 8));
    const auto s = c.get("/v1/status", team_token).json();
    CHECK(s.at("system").at("stale") == 1);
    CHECK(s.at("system").at("reporting") == 0);
    CHECK(s.at("system").at("level").is_null());
    CHECK(s.at("practices").at(0).at("stale") == true);
}

TEST_CASE("rate limits refuse with 429 and Retry-After, and refill with time", "[http][limits]") {
    test_daemon d({.limits = "rate: 1\n  burst: 2"});
    auto c = d.client();
    CHECK(c.get("/v1/status", team_token).status == 200);
    CHECK(c.get("/v1/status", team_token).status == 200);
    const auto limited = c.get("/v1/status", team_token);
    CHECK(limited.status == 429);
    CHECK(limited.header("Retry-After") == "1");
    CHECK(c.get("/v1/status", control_token).status == 200); // per token
    d.clock().advance(std::chrono::seconds(1));
    CHECK(c.get("/v1/status", team_token).status == 200);
}

TEST_CASE("metrics are Prometheus text and count submissions by result", "[http][metrics]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    REQUIRE(c.post("/v1/submissions", "{", practice_token).status == 400);
    const auto m = c.get("/metrics");
    CHECK(m.status == 200);
    CHECK(m.header("Content-Type").find("text/plain") == 0);
    CHECK(m.body.find("opeld_submissions_total{result=\"accepted\"} 1") != std::string::npos);
    CHECK(m.body.find("opeld_submissions_total{result=\"invalid\"} 1") != std::string::npos);
    CHECK(m.body.find("opeld_store_commit_seconds_bucket") != std::string::npos);
    CHECK(m.body.find("opeld_http_open_connections") != std::string::npos);
    CHECK(m.body.find("opeld_store_queue_depth") != std::string::npos);
    // The heap in use: a daemon with a config and a store loaded has some.
    const auto heap = m.body.find("\nopeld_heap_inuse_bytes ");
    REQUIRE(heap != std::string::npos);
#ifndef __SANITIZE_ADDRESS__ // ASan's allocator bypasses the malloc that mallinfo2 reads
    CHECK(std::stoll(m.body.substr(heap + 24)) > 100000);
#endif
}

TEST_CASE("one keep-alive connection carries many requests", "[http]") {
    test_daemon d;
    auto c = d.client();
    for (int i = 0; i < 20; ++i)
        REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    CHECK(stored_count(c) == 20);
}

TEST_CASE("a request that is not HTTP gets 400 and the daemon carries on", "[http][hostile]") {
    test_daemon d;
    auto c = d.client();
    const auto answer = c.raw("NOT HTTP AT ALL\r\n\r\n");
    CHECK(answer.find("400") != std::string::npos);
    CHECK(d.client().get("/healthz").status == 200);
}

TEST_CASE("headers over 8 KiB are refused and the daemon carries on", "[http][hostile]") {
    test_daemon d;
    auto c = d.client();
    const auto answer =
        c.raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n");
    CHECK(answer.find("431") != std::string::npos);
    CHECK(answer.find("over the 8 KiB limit") != std::string::npos);
    CHECK(d.client().get("/healthz").status == 200);
}

TEST_CASE("the refusal of big headers names the configured limit", "[http][hostile]") {
    config_options o;
    o.http = "  header_limit: 4096\n";
    test_daemon d(o);
    const auto answer = d.client().raw("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " +
                                       std::string(5000, 'a') + "\r\n\r\n");
    CHECK(answer.find("431") != std::string::npos);
    CHECK(answer.find("over the 4 KiB limit") != std::string::npos);
}

TEST_CASE("connections past the cap get 503, not a hang", "[http][limits]") {
    test_daemon d({.http = "  max_connections: 2\n"});
    auto a = d.client();
    auto b = d.client();
    CHECK(a.get("/healthz").status == 200);
    CHECK(b.get("/healthz").status == 200);
    auto third = d.client();
    const auto answer = third.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
    CHECK(answer.find("503") != std::string::npos);
}

TEST_CASE("submissions survive a restart", "[http][durability]") {
    auto first = std::make_unique<test_daemon>();
    {
        auto c = first->client();
        REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
        REQUIRE(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    }
    first->stop();
    test_daemon second(*first, test_epoch() + std::chrono::hours(1));
    auto c = second.client();
    CHECK(stored_count(c) == 2);
    const auto s = c.get("/v1/status", team_token).json();
    CHECK(s.at("practices").at(0).at("level") == 3);
    const auto next = c.post("/v1/submissions", ok_body, practice_token).json();
    CHECK(next.at("id") == 3);
}

TEST_CASE("GET /v1/status gives each place and PCN its level by the system thresholds",
          "[http][status]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":4})", admin_token).status ==
            201);
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82002","level":1})", admin_token).status ==
            201);
    const auto s = c.get("/v1/status", team_token).json();
    const auto& places = s.at("places").as_object();
    CHECK(places.size() == 3);
    const auto& city = places.at("city");
    CHECK(city.at("level").is_null()); // two reporting: too few (min_reporting 3)
    CHECK(city.at("practices") == 56);
    CHECK(city.at("reporting") == 2);
    CHECK(city.at("counts").at("1") == 1);
    const auto& pcn = s.at("pcns").at("Larkspur Central PCN");
    CHECK(pcn.at("level").is_null());
    // A third practice, at 4: two of three at 4, from two practices: red.
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82003","level":4})", admin_token).status ==
            201);
    const auto three = c.get("/v1/status", team_token).json();
    CHECK(three.at("places").at("city").at("level") == 4);
    CHECK(three.at("pcns").at("Larkspur Central PCN").at("level") == 4);
    CHECK(pcn.at("practices") == 8);
    for (const auto& [id, place] : places)
        if (id != "city")
            CHECK(place.at("level").is_null());
    CHECK(s.at("pcns").as_object().size() == 26);
}
