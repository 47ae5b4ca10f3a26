// The history calls over HTTP: the system's picture at 09:00 of each of the
// last days and a practice's reports day by day, their bounds and roles.
#include "support/test_daemon.hpp"

#include <date/date.h>

using namespace opel;
using namespace opel::test;
using namespace date::literals;
using std::chrono::hours;

namespace {

/// Imports `lines` (NDJSON) as an admin; every line must be taken.
void import(test_daemon& d, const std::string& lines) {
    auto c = d.client();
    const auto a = c.post("/v1/import", lines, admin_token,
                          {{"Content-Type", "application/x-ndjson"}});
    REQUIRE(a.status == 200);
    REQUIRE(a.json().at("rejected").as_array().empty());
}

std::string report(const std::string& code, int level, const std::string& at,
                   const std::string& extra = "") {
    return R"({"practice":")" + code + R"(","level":)" + std::to_string(level) +
           R"(,"reported_at":")" + at + "\"" + extra + "}\n";
}

boost::json::object get_json(test_daemon& d, const std::string& target,
                             const std::string& token = team_token) {
    auto c = d.client();
    const auto a = c.get(target, token);
    REQUIRE(a.status == 200);
    return a.json().as_object();
}

} // namespace

TEST_CASE("status history pictures each day at 09:00, oldest first", "[history_api]") {
    test_daemon d; // Wednesday 25 November 2026, 10:00 UTC (London is on UTC)
    // Three city practices at 4 from Monday 08:00; one drops to 1 on Tuesday
    // at 10:00, after Tuesday's picture. A report after Wednesday 09:00 is not
    // in Wednesday's picture of 09:00 but the day is over by then.
    import(d, report("C82001", 4, "2026-11-23T08:00:00Z") + report("C82002", 4, "2026-11-23T08:00:00Z") +
                  report("C82003", 4, "2026-11-23T08:00:00Z") +
                  report("C82003", 1, "2026-11-24T10:00:00Z") +
                  report("C82004", 4, "2026-11-25T09:30:00Z"));
    const auto h = get_json(d, "/v1/status/history?days=4");
    const auto& days = h.at("days").as_array();
    REQUIRE(days.size() == 4);
    CHECK(days[0].at("date") == "2026-11-22");
    CHECK(days[3].at("date") == "2026-11-25");
    CHECK(days[3].at("as_of") == "2026-11-25T09:00:00.000000Z");
    // Sunday: nobody stands at a level.
    CHECK(days[0].at("system").at("reporting") == 0);
    CHECK(days[0].at("system").at("level").is_null());
    // Monday 09:00 and Tuesday 09:00: three at 4.
    CHECK(days[1].at("system").at("counts").at("4") == 3);
    CHECK(days[2].at("system").at("counts").at("4") == 3);
    CHECK(days[2].at("places").at("city").at("counts").at("4") == 3);
    // Wednesday 09:00: C82003 has come down, C82004's 09:30 report is later.
    CHECK(days[3].at("system").at("counts").at("4") == 2);
    CHECK(days[3].at("system").at("counts").at("1") == 1);
    // Every place of the practices file is named, reporting or not.
    for (const char* place : {"city", "county", "rutland"})
        CHECK(days[3].at("places").as_object().contains(place));
    CHECK(days[3].at("places").at("rutland").at("reporting") == 0);
}

TEST_CASE("status history agrees with the daily summary of the same date", "[history_api]") {
    test_daemon d;
    import(d, report("C82001", 3, "2026-11-24T08:00:00Z") + report("C82005", 2, "2026-11-24T08:30:00Z") +
                  report("C82010", 4, "2026-11-25T08:00:00.000000Z"));
    const auto h = get_json(d, "/v1/status/history?days=1");
    const auto s = get_json(d, "/v1/summaries/daily?date=2026-11-25");
    REQUIRE(h.at("days").as_array().size() == 1);
    CHECK(h.at("days").at(0).at("system") == s.at("system"));
    CHECK(h.at("days").at(0).at("places") == s.at("by_place"));
}

TEST_CASE("today before 09:00 is pictured now", "[history_api]") {
    test_daemon d(config_options{}, core::time_point{date::sys_days{2026_y / 11 / 25} + hours{8}});
    import(d, report("C82001", 3, "2026-11-25T07:00:00Z"));
    const auto h = get_json(d, "/v1/status/history?days=2");
    const auto& today = h.at("days").at(1);
    CHECK(today.at("date") == "2026-11-25");
    CHECK(today.at("as_of") == "2026-11-25T08:00:00.000000Z");
    CHECK(today.at("system").at("counts").at("3") == 1);
}

TEST_CASE("status history defaults to 30 days and refuses 0 and 401", "[history_api]") {
    test_daemon d;
    CHECK(get_json(d, "/v1/status/history").at("days").as_array().size() == 30);
    CHECK(get_json(d, "/v1/status/history?days=400").at("days").as_array().size() == 400);
    auto c = d.client();
    for (const char* bad : {"0", "401", "-1", "ten", "3.5", ""}) {
        INFO(bad);
        const auto a = c.get(std::string("/v1/status/history?days=") + bad, team_token);
        CHECK(a.status == 400);
        CHECK(a.json().at("error").at("field") == "days");
    }
    CHECK(c.get("/v1/status/history?weeks=2", team_token).status == 400);
}

TEST_CASE("status history is for readers of everything", "[history_api]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.get("/v1/status/history", "").status == 401);
    CHECK(c.get("/v1/status/history", practice_token).status == 403);
    for (const auto* token : {&team_token, &control_token, &admin_token})
        CHECK(c.get("/v1/status/history?days=2", *token).status == 200);
}

TEST_CASE("practice history gives the latest report of each day", "[history_api]") {
    test_daemon d;
    import(d, report("C82001", 2, "2026-11-20T08:00:00Z", R"(,"note":"busy Friday")") +
                  report("C82001", 3, "2026-11-23T08:00:00Z") +
                  report("C82001", 4, "2026-11-23T14:00:00Z", R"(,"themes":["workforce"])") +
                  report("C82002", 4, "2026-11-23T14:00:00Z") +
                  report("C82001", 1, "2026-08-01T08:00:00Z"));
    const auto h = get_json(d, "/v1/practices/C82001/history");
    CHECK(h.at("practice") == "C82001");
    const auto& days = h.at("days").as_array();
    REQUIRE(days.size() == 2); // August is more than 90 days back
    CHECK(days[0].at("date") == "2026-11-20");
    CHECK(days[0].at("level") == 2);
    CHECK(days[0].at("note") == "busy Friday");
    CHECK(days[1].at("date") == "2026-11-23");
    CHECK(days[1].at("level") == 4);
    CHECK(days[1].at("themes") == boost::json::array{"workforce"});
    CHECK(days[1].at("note").is_null());
    CHECK(days[1].at("reported_at") == "2026-11-23T14:00:00.000000Z");
    CHECK(get_json(d, "/v1/practices/C82001/history?days=3").at("days").as_array().size() == 1);
    CHECK(get_json(d, "/v1/practices/C82001/history?days=400").at("days").as_array().size() == 3);
}

TEST_CASE("a day is a local day in the configured time zone", "[history_api]") {
    // 23:30 UTC on 1 July is 00:30 on 2 July in London (summer time).
    test_daemon d(config_options{}, core::time_point{date::sys_days{2026_y / 7 / 3} + hours{10}});
    import(d, report("C82001", 3, "2026-07-01T23:30:00Z"));
    const auto h = get_json(d, "/v1/practices/C82001/history?days=5");
    REQUIRE(h.at("days").as_array().size() == 1);
    CHECK(h.at("days").at(0).at("date") == "2026-07-02");
}

TEST_CASE("practice history: a practice reads its own only, bounds as for status", "[history_api]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.get("/v1/practices/C82001/history", practice_token).status == 200);
    CHECK(c.get("/v1/practices/C82002/history", practice_token).status == 403);
    CHECK(c.get("/v1/practices/Z99999/history", practice_token).status == 403);
    CHECK(c.get("/v1/practices/C82002/history", control_token).status == 200);
    CHECK(c.get("/v1/practices/C82001/history", "").status == 401);
    const auto unknown = c.get("/v1/practices/Z99999/history", team_token);
    CHECK(unknown.status == 404);
    CHECK(unknown.json().at("error").at("code") == "unknown_practice");
    CHECK(c.get("/v1/practices/C82001/history?days=0", practice_token).status == 400);
    CHECK(c.get("/v1/practices/C82001/history?days=401", team_token).status == 400);
    CHECK(c.get("/v1/practices/C82001/history?days=1", team_token).status == 200);
}

TEST_CASE("/v1/me says who the token is, the zone and the theme names", "[me_api]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.get("/v1/me", "").status == 401);
    const auto a = c.get("/v1/me", practice_token);
    REQUIRE(a.status == 200);
    const auto p = a.json();
    CHECK(p.at("role") == "practice");
    CHECK(p.at("practice").at("code") == "C82001");
    CHECK(p.at("practice").at("name") == "Aldermere Surgery");
    CHECK(p.at("timezone") == "Europe/London");
    CHECK(p.at("summary_at") == "09:00");
    const auto& themes = p.at("themes").as_array();
    REQUIRE(themes.size() == 15);
    CHECK(themes[0].at("id") == "workforce");
    CHECK(themes[0].at("name") == "Workforce (sickness, vacancies)");
    // The rule names, so a client can refuse a silence for a rule that is not there.
    const auto& rules = p.at("rules").as_array();
    CHECK(std::find(rules.begin(), rules.end(), boost::json::value("practice-level-4")) !=
          rules.end());
    CHECK(std::find(rules.begin(), rules.end(), boost::json::value("unacknowledged-level-4")) !=
          rules.end());
    const auto t = c.get("/v1/me", team_token);
    REQUIRE(t.status == 200);
    CHECK(t.json().at("role") == "team");
    CHECK(t.json().at("practice").is_null());
}

TEST_CASE("/v1/me shows a practice who has seen its alert, and the note", "[me_api]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":4})", practice_token)
                .status == 201);
    auto mine = c.get("/v1/me", practice_token).json().at("alerts").as_array(); // a copy
    REQUIRE(!mine.empty());
    CHECK(mine[0].at("state") == "firing");
    CHECK(mine[0].at("level") == 4);
    const auto id = mine[0].at("id").as_int64();
    REQUIRE(c.post("/v1/alerts/" + std::to_string(id) + "/ack", R"({"note":"we will call you"})",
                   team_token)
                .status == 200);
    mine = c.get("/v1/me", practice_token).json().at("alerts").as_array();
    bool seen = false;
    for (const auto& a : mine)
        if (a.at("id").as_int64() == id) {
            CHECK(a.at("state") == "acknowledged");
            CHECK(a.at("acknowledged_by") == "team");
            CHECK(a.at("note") == "we will call you");
            seen = true;
        }
    CHECK(seen);
    // Another practice's token sees nothing of it.
    CHECK(c.get("/v1/me", other_practice_token).json().at("alerts").as_array().empty());
    CHECK(c.get("/v1/me", team_token).json().at("alerts").as_array().empty());
}
