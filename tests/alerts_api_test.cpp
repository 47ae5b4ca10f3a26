// Integration tests of alerts through the app: raised in the submission's
// transaction, acknowledged over HTTP, timers on the injected clock that
// survive a restart, silences, and reload.
#include "support/test_daemon.hpp"

#include <fstream>

using namespace opel::test;

namespace {

boost::json::value submit(http_client& c, int level, const std::string& practice = "C82001") {
    const auto a = c.post("/v1/submissions",
                          R"({"practice":")" + practice + R"(","level":)" +
                              std::to_string(level) + "}",
                          admin_token);
    REQUIRE(a.status == 201);
    return a.json();
}

boost::json::array alerts(http_client& c, const std::string& query = "") {
    return c.get("/v1/alerts" + query, team_token).json().at("alerts").as_array();
}

std::size_t events_on(http_client& c, const std::string& prefix) {
    return c.get("/v1/events?topic=" + prefix, team_token).json().at("events").as_array().size();
}

} // namespace

TEST_CASE("a level-4 report raises an alert named in its answer", "[alerts]") {
    test_daemon d;
    auto c = d.client();
    const auto answer = submit(c, 4);
    REQUIRE(answer.at("alerts").as_array().size() == 1);
    const auto open = alerts(c);
    REQUIRE(open.size() == 1);
    CHECK(open[0].at("id") == answer.at("alerts").at(0));
    CHECK(open[0].at("rule") == "practice-level-4");
    CHECK(open[0].at("state") == "firing");
    CHECK(open[0].at("evidence").at(0) == answer.at("id"));
}

TEST_CASE("a repeat adds evidence without a new event", "[alerts]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 4);
    submit(c, 4);
    const auto open = alerts(c);
    REQUIRE(open.size() == 1);
    CHECK(open[0].at("evidence").as_array().size() == 2);
    CHECK(events_on(c, "alert.") == 1);
}

TEST_CASE("acknowledging over HTTP records who and the note", "[alerts]") {
    test_daemon d;
    auto c = d.client();
    const auto id = submit(c, 4).at("alerts").at(0).as_int64();
    const auto a = c.post("/v1/alerts/" + std::to_string(id) + "/ack",
                          R"({"note":"calling the practice"})", team_token);
    REQUIRE(a.status == 200);
    CHECK(a.json().at("state") == "acknowledged");
    CHECK(a.json().at("acknowledged_by") == "team");
    CHECK(a.json().at("note") == "calling the practice");
    CHECK(events_on(c, "alert.") == 2);
    CHECK(c.post("/v1/alerts/" + std::to_string(id) + "/ack", "", practice_token).status == 403);
    CHECK(c.post("/v1/alerts/999/ack", "", team_token).status == 404);
    CHECK(c.post("/v1/alerts/x/ack", "", team_token).status == 404);
    CHECK(c.post("/v1/alerts/" + std::to_string(id) + "/ack", R"({"colour":1})", team_token)
              .status == 400);
}

TEST_CASE("a practice alert resolves when the practice reports level 2", "[alerts]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 4);
    submit(c, 2);
    CHECK(alerts(c).empty());
    const auto all = alerts(c, "?state=all");
    REQUIRE(all.size() == 1);
    CHECK(all[0].at("state") == "resolved");
    CHECK(c.get("/v1/alerts?state=maybe", team_token).status == 400);
}

TEST_CASE("GET /v1/alerts?since_seq returns the alerts changed after that seq", "[alerts]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 4);           // seq 1 status, 2 alert
    submit(c, 3, "C82060"); // seq 3 status, 4 alert (another PCN: no cluster)
    CHECK(alerts(c, "?since_seq=2").size() == 1);
    CHECK(alerts(c, "?since_seq=0").size() == 2);
}

TEST_CASE("a level-4 alert still firing after 30 minutes escalates to the control room",
          "[alerts][time]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 4);
    d.clock().advance(std::chrono::minutes(29));
    d.daemon().run_timers().wait();
    CHECK(alerts(c).size() == 1);
    d.clock().advance(std::chrono::minutes(2));
    d.daemon().run_timers().wait();
    const auto open = alerts(c);
    REQUIRE(open.size() == 2);
    CHECK(open[1].at("rule") == "unacknowledged-level-4");
    CHECK(open[1].at("audiences").at(0) == "control_room");
}

TEST_CASE("the unacknowledged timer survives a restart", "[alerts][time][durability]") {
    auto first = std::make_unique<test_daemon>();
    {
        auto c = first->client();
        submit(c, 4);
    }
    first->clock().advance(std::chrono::minutes(10));
    first->stop();
    // Back 40 minutes after the report: the escalation is caught up at start.
    test_daemon second(*first, test_epoch() + std::chrono::minutes(40));
    second.daemon().run_timers().wait();
    auto c = second.client();
    const auto open = alerts(c);
    REQUIRE(open.size() == 2);
    CHECK(open[1].at("rule") == "unacknowledged-level-4");
}

TEST_CASE("an acknowledged level-4 alert does not escalate", "[alerts][time]") {
    test_daemon d;
    auto c = d.client();
    const auto id = submit(c, 4).at("alerts").at(0).as_int64();
    REQUIRE(c.post("/v1/alerts/" + std::to_string(id) + "/ack", "", control_token).status == 200);
    d.clock().advance(std::chrono::hours(1));
    d.daemon().run_timers().wait();
    CHECK(alerts(c).size() == 1);
}

TEST_CASE("a silenced alert is recorded but not pushed, and pushed when the silence ends",
          "[alerts][silences]") {
    test_daemon d;
    auto c = d.client();
    const auto sil = c.post("/v1/silences",
                            R"({"rule":"practice-level-4","ends_at":"2026-11-25T11:00:00Z",)"
                            R"("comment":"planned closure"})",
                            team_token);
    REQUIRE(sil.status == 201);
    CHECK(sil.json().at("created_by") == "team");
    submit(c, 4);
    const auto open = alerts(c);
    REQUIRE(open.size() == 1);
    CHECK(open[0].at("silenced") == true);
    CHECK(events_on(c, "alert.") == 0);
    CHECK(c.get("/v1/silences", team_token).json().at("silences").as_array().size() == 1);
    const auto id = sil.json().at("id").as_int64();
    REQUIRE(c.call(boost::beast::http::verb::delete_, "/v1/silences/" + std::to_string(id), {},
                   team_token).status == 200);
    CHECK(events_on(c, "alert.") == 1);
    CHECK(c.get("/v1/silences", team_token).json().at("silences").as_array().empty());
}

TEST_CASE("silences refuse bad bodies", "[alerts][silences]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/silences", R"({"rule":"x"})", team_token).status == 422);
    CHECK(c.post("/v1/silences", R"({"ends_at":"2026-12-01T00:00:00Z"})", team_token).status ==
          422);
    CHECK(c.post("/v1/silences", R"({"rule":"x","ends_at":"2026-12-01T00:00:00Z","y":1})",
                 team_token).status == 400);
    CHECK(c.post("/v1/silences", R"({"rule":"x","ends_at":"2026-12-01T00:00:00Z"})",
                 practice_token).status == 403);
}

TEST_CASE("the daemon refuses a silence for an unknown rule, scope or subject",
          "[alerts][silences]") {
    test_daemon d;
    auto c = d.client();
    const auto refused = [&](const std::string& matchers, const std::string& field,
                             const std::string& code, const std::string& words) {
        const auto a = c.post("/v1/silences",
                              "{" + matchers + R"(,"ends_at":"2026-12-01T00:00:00Z"})", team_token);
        INFO(matchers << " -> " << a.body);
        CHECK(a.status == 422);
        const auto body = a.json();
        const auto& e = body.at("error");
        CHECK(e.at("field") == field.c_str());
        CHECK(e.at("code") == code.c_str());
        CHECK(std::string(e.at("message").as_string()).find(words) != std::string::npos);
    };
    refused(R"("rule":"practice-levl-3")", "rule", "unknown_rule", "practice-level-3");
    refused(R"("scope":"practice","subject":"C89999")", "subject", "unknown_subject",
            "no practice code 'C89999'");
    refused(R"("scope":"pcn","subject":"C82001")", "subject", "unknown_subject", "no PCN");
    refused(R"("scope":"place","subject":"shire")", "subject", "unknown_subject",
            "known: city, county, rutland");
    refused(R"("subject":"Nowhere PCN")", "subject", "unknown_subject", "'Nowhere PCN'");
    refused(R"("scope":"ward","subject":"C82001")", "scope", "unknown_scope", "pcn, place");
    CHECK(c.get("/v1/silences", team_token).json().at("silences").as_array().empty());
    // Known names of each kind are taken; the daemon's own rule too.
    for (const auto* ok : {R"("rule":"practice-level-4","subject":"C82001")",
                           R"("scope":"place","subject":"county")",
                           R"("scope":"system","subject":"strep_a")",
                           R"("rule":"webhook-failing")"})
        CHECK(c.post("/v1/silences", "{" + std::string(ok) +
                                         R"(,"ends_at":"2026-12-01T00:00:00Z"})",
                     team_token)
                  .status == 201);
    CHECK(c.get("/healthz").status == 200);
}

TEST_CASE("a reload that removes a rule resolves its open alerts", "[alerts][reload]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 4);
    REQUIRE(alerts(c).size() == 1);
    // A rules file without practice-level-4: only the themes and one rule.
    const auto rules = d.dir() / "rules.yaml";
    std::ofstream(rules) << "themes: [workforce, it_systems, other, high_demand, "
                            "recruitment_retention, telephony, ari, strep_a, nhs111, covid, "
                            "infection_control, estates, backlog, winter_pressures, cqc]\n";
    std::string cfg;
    {
        std::ifstream in(d.config_file());
        cfg.assign(std::istreambuf_iterator<char>(in), {});
    }
    const auto at = cfg.find("rules: ");
    cfg.replace(at, cfg.find('\n', at) - at, "rules: " + rules.string());
    std::ofstream(d.config_file()) << cfg;
    d.daemon().reload();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!alerts(c).empty() && std::chrono::steady_clock::now() < deadline) {
        d.daemon().run_timers().wait(); // a round trip through the writer
    }
    const auto all = alerts(c, "?state=all");
    REQUIRE(all.size() == 1);
    CHECK(all[0].at("state") == "resolved");
}

TEST_CASE("an invalid config on reload keeps the old one in force", "[alerts][reload]") {
    test_daemon d;
    std::ofstream(d.config_file(), std::ios::app) << "nonsense_key: 1\n";
    d.daemon().reload();
    d.daemon().run_timers().wait();
    auto c = d.client();
    CHECK(c.get("/v1/status", team_token).status == 200);
    submit(c, 4);
    CHECK(alerts(c).size() == 1);
}

TEST_CASE("an inhibited alert is listed with inhibited_by, published, and hidden on request",
          "[alerts]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 1);
    const auto answer = submit(c, 4); // a rise of 3: level 4 speaks, the rise is inhibited
    CHECK(answer.at("alerts").as_array().size() == 2);
    const auto all = alerts(c);
    REQUIRE(all.size() == 2);
    std::int64_t l4 = 0;
    for (const auto& a : all)
        if (a.at("rule") == "practice-level-4") {
            CHECK(a.at("inhibited_by").is_null());
            l4 = a.at("id").as_int64();
        }
    for (const auto& a : all)
        if (a.at("rule") == "practice-rapid-rise")
            CHECK(a.at("inhibited_by") == l4);
    const auto speaking = alerts(c, "?inhibited=false");
    REQUIRE(speaking.size() == 1);
    CHECK(speaking[0].at("rule") == "practice-level-4");
    CHECK(alerts(c, "?inhibited=true").size() == 2);
    CHECK(c.get("/v1/alerts?inhibited=maybe", team_token).status == 400);
    // The log stays whole: both alerts' events are on the feed.
    CHECK(events_on(c, "alert.L4.practice.C82001") == 2);
}
