// Integration tests of the daily summary in the running daemon: the 09:00
// scheduler on a manual clock (run_timers, never sleeps), restarts, and the
// summary and report calls over HTTP. What was stored and published is read
// back from the database file itself, since /v1/events is another module's.
#include "store/sqlite.hpp"
#include "support/test_daemon.hpp"

#include <date/date.h>

using namespace opel;
using namespace opel::test;
using namespace date::literals;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

/// `h`:`m` UTC on `d` (London is on UTC in November and December).
core::time_point at(date::year_month_day d, int h, int m = 0) {
    return core::time_point{date::sys_days{d} + hours{h} + minutes{m}};
}

/// Moves the clock to `t` and runs the timers due, waiting for their commit.
void run_at(test_daemon& d, core::time_point t) {
    d.clock().set(t);
    REQUIRE(d.daemon().run_timers().wait_for(std::chrono::seconds(10)) ==
            std::future_status::ready);
}

std::vector<std::string> column(const test_daemon& d, const std::string& sql) {
    store::sqlite::db db(d.dir() / "opeld.db", false, true);
    auto st = db.prepare(sql);
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0));
    return out;
}

/// The dates of the stored summaries, in order.
std::vector<std::string> stored_dates(const test_daemon& d) {
    return column(d, "SELECT date FROM summaries ORDER BY date");
}

/// The `summary.daily` events published, in seq order, as JSON.
std::vector<boost::json::object> published(const test_daemon& d) {
    std::vector<boost::json::object> out;
    for (const auto& data :
         column(d, "SELECT data FROM events WHERE topic = 'summary.daily' ORDER BY seq"))
        out.push_back(boost::json::parse(data).as_object());
    return out;
}

http_answer submit(test_daemon& d, const std::string& token, const std::string& body) {
    auto c = d.client();
    return c.post("/v1/submissions", body, token);
}

boost::json::object daily(test_daemon& d, const std::string& date) {
    auto c = d.client();
    const auto a = c.get("/v1/summaries/daily?date=" + date, team_token);
    REQUIRE(a.status == 200);
    return a.json().as_object();
}

bool names(const boost::json::value& list, const std::string& code) {
    for (const auto& v : list.as_array())
        if (v.is_string() ? v == code.c_str() : v.at("code") == code.c_str()) return true;
    return false;
}

bool has_alert(const boost::json::value& list, const std::string& rule,
               const std::string& subject) {
    for (const auto& a : list.as_array())
        if (a.at("rule") == rule.c_str() && a.at("subject") == subject.c_str()) return true;
    return false;
}

} // namespace

TEST_CASE("a new database has missed nothing", "[summary_api]") {
    test_daemon d; // Wednesday 25 November, 10:00: that day's 09:00 predates the database
    run_at(d, test_epoch() + minutes{1});
    CHECK(stored_dates(d).empty());
    CHECK(published(d).empty());
}

TEST_CASE("the 09:00 fires on a working day, once", "[summary_api]") {
    test_daemon d;
    run_at(d, at(2026_y / 11 / 26, 8, 59));
    CHECK(stored_dates(d).empty());
    run_at(d, at(2026_y / 11 / 26, 9));
    REQUIRE(stored_dates(d) == std::vector<std::string>{"2026-11-26"});
    run_at(d, at(2026_y / 11 / 26, 9));
    run_at(d, at(2026_y / 11 / 26, 9, 30));
    run_at(d, at(2026_y / 11 / 26, 23, 59));
    const auto events = published(d);
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("date") == "2026-11-26");
    CHECK(events[0].at("late") == false);
    CHECK(daily(d, "2026-11-26") == events[0]);
    auto c = d.client();
    const auto replay = c.get("/v1/events?topic=summary.daily", team_token).json();
    REQUIRE(replay.at("events").as_array().size() == 1);
    CHECK(replay.at("events").at(0).at("data") == events[0]);
}

TEST_CASE("no summary on a weekend or a bank holiday", "[summary_api]") {
    test_daemon d;
    run_at(d, at(2026_y / 11 / 27, 9));
    run_at(d, at(2026_y / 11 / 28, 9)); // Saturday
    run_at(d, at(2026_y / 11 / 29, 9)); // Sunday
    CHECK(stored_dates(d) == std::vector<std::string>{"2026-11-27"});
    run_at(d, at(2026_y / 11 / 30, 9));
    run_at(d, at(2026_y / 12 / 24, 9));
    run_at(d, at(2026_y / 12 / 25, 9, 1)); // Christmas Day, a holiday in the config
    run_at(d, at(2026_y / 12 / 28, 9, 1)); // the substitute bank holiday
    CHECK(stored_dates(d) == std::vector<std::string>{"2026-11-27", "2026-11-30", "2026-12-24"});
    run_at(d, at(2026_y / 12 / 29, 9));
    CHECK(stored_dates(d).back() == "2026-12-29");
    CHECK(published(d).size() == 4);
}

TEST_CASE("a clock that jumps days ahead builds one summary, the latest, late", "[summary_api]") {
    test_daemon d;
    run_at(d, at(2026_y / 12 / 2, 9, 30)); // a Wednesday, a week on
    const auto events = published(d);
    REQUIRE(events.size() == 1);
    CHECK(events[0].at("date") == "2026-12-02");
    CHECK(events[0].at("late") == true);
}

TEST_CASE("a restart after missed 09:00s builds one late summary, the latest", "[summary_api]") {
    test_daemon first;
    REQUIRE(submit(first, practice_token, R"({"practice":"C82001","level":3})").status == 201);
    run_at(first, at(2026_y / 11 / 26, 9));
    first.stop();
    // Down over Friday, the weekend and Monday; back on Tuesday at noon.
    test_daemon second(first, at(2026_y / 12 / 1, 12));
    REQUIRE(second.daemon().run_timers().wait_for(std::chrono::seconds(10)) ==
            std::future_status::ready);
    CHECK(stored_dates(second) == std::vector<std::string>{"2026-11-26", "2026-12-01"});
    const auto events = published(second);
    REQUIRE(events.size() == 2);
    const auto& late = events[1];
    CHECK(late.at("date") == "2026-12-01");
    CHECK(late.at("late") == true);
    CHECK(late.at("generated_at").as_string().starts_with("2026-12-01T12:00"));
    CHECK(names(late.at("pressured"), "C82001"));
    run_at(second, at(2026_y / 12 / 1, 13));
    second.stop();
    // Another restart the same day has nothing left to catch up.
    test_daemon third(second, at(2026_y / 12 / 1, 14));
    REQUIRE(third.daemon().run_timers().wait_for(std::chrono::seconds(10)) ==
            std::future_status::ready);
    CHECK(published(third).size() == 2);
}

TEST_CASE("an empty day's summary names every practice as not reporting", "[summary_api]") {
    test_daemon d;
    run_at(d, at(2026_y / 11 / 26, 9));
    const auto s = daily(d, "2026-11-26");
    CHECK(s.at("system").at("reporting") == 0);
    CHECK(s.at("system").at("level").is_null());
    CHECK(s.at("pressured").as_array().empty());
    CHECK(s.at("themes").as_array().empty());
    CHECK(s.at("not_reporting").as_array().size() == s.at("practices").as_array().size());
    CHECK(s.at("changes").at("escalated").as_array().empty());
}

TEST_CASE("the summary says what changed since the previous one", "[summary_api]") {
    test_daemon d;
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":2})").status == 201);
    run_at(d, at(2026_y / 11 / 26, 9));
    d.clock().set(at(2026_y / 11 / 26, 11));
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":4,"themes":["workforce"]})")
                .status == 201);
    run_at(d, at(2026_y / 11 / 27, 9));
    const auto s = daily(d, "2026-11-27");
    CHECK(names(s.at("changes").at("escalated"), "C82001"));
    CHECK(names(s.at("pressured"), "C82001"));
    CHECK(s.at("themes").at(0).at("theme") == "workforce");
    CHECK(!s.at("open_alerts").as_array().empty()); // practice-level-4 is open
}

TEST_CASE("each form of the daily summary over HTTP", "[summary_api]") {
    test_daemon d;
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":3,"note":"=1+1"})").status ==
            201);
    run_at(d, at(2026_y / 11 / 26, 9));
    auto c = d.client();
    const auto json = c.get("/v1/summaries/daily?date=2026-11-26&format=json", team_token);
    CHECK(json.status == 200);
    CHECK(json.header("Content-Type") == "application/json");
    CHECK(json.json().at("date") == "2026-11-26");
    const auto csv = c.get("/v1/summaries/daily?date=2026-11-26&format=csv", control_token);
    CHECK(csv.status == 200);
    CHECK(csv.header("Content-Type") == "text/csv; charset=utf-8");
    CHECK(csv.header("Content-Disposition") ==
          "attachment; filename=\"opel-daily-summary-2026-11-26.csv\"");
    // Then a column per theme of the rules file, headed by its name.
    CHECK(csv.body.starts_with("code,name,pcn,place,level,level_name,stale,reported_at,themes,"
                               "note,support_requested,\"Workforce (sickness, vacancies)\","
                               "Recruitment and retention,"));
    CHECK(csv.body.find(",Other\r\n") != std::string::npos);
    CHECK(csv.body.find("'=1+1") != std::string::npos); // no formula for the spreadsheet
    const auto html = c.get("/v1/summaries/daily?date=2026-11-26&format=html", team_token);
    CHECK(html.status == 200);
    CHECK(html.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(html.body.starts_with("<!doctype html>"));
    CHECK(html.body.find("OPEL daily summary 2026-11-26") != std::string::npos);
    CHECK(html.body.find("C82001") != std::string::npos);
    // An HTML answer is never sniffed and may load and run nothing foreign.
    CHECK(html.header("X-Content-Type-Options") == "nosniff");
    CHECK(html.header("Content-Security-Policy").find("script-src 'self'") != std::string::npos);
    CHECK(html.header("Content-Security-Policy").find("frame-ancestors 'none'") !=
          std::string::npos);
    CHECK(csv.header("X-Content-Type-Options") == "nosniff");
}

TEST_CASE("the summary call refuses bad parameters and non-readers", "[summary_api]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.get("/v1/summaries/daily?date=2026-11-31", team_token).status == 400);
    CHECK(c.get("/v1/summaries/daily?date=26-11-2026", team_token).status == 400);
    CHECK(c.get("/v1/summaries/daily?format=pdf", team_token).status == 400);
    CHECK(c.get("/v1/summaries/daily?day=2026-11-25", team_token).status == 400);
    const auto future = c.get("/v1/summaries/daily?date=2026-11-26", team_token);
    CHECK(future.status == 422);
    CHECK(future.json().at("error").at("field") == "date");
    CHECK(c.get("/v1/summaries/daily", practice_token).status == 403);
    CHECK(c.get("/v1/summaries/daily").status == 401);
    CHECK(c.get("/v1/summaries/daily", team_token).json().at("date") == "2026-11-25");
}

TEST_CASE("a date with no summary is built on demand, neither stored nor published",
          "[summary_api]") {
    test_daemon d;
    auto c = d.client();
    // History from Tuesday, then Wednesday's summary asked for in the afternoon:
    // it pictures Wednesday 09:00, so Wednesday's own 10:00 report is not in it.
    const std::string history =
        R"({"practice":"C82002","level":4,"reported_at":"2026-11-24T15:00:00Z"})"
        "\n";
    REQUIRE(c.post("/v1/import", history, admin_token, {{"Content-Type", "application/x-ndjson"}})
                .status == 200);
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":3})").status == 201);
    d.clock().set(at(2026_y / 11 / 25, 15));
    const auto s = daily(d, "2026-11-25");
    CHECK(s.at("late") == false);
    CHECK(s.at("generated_at").as_string().starts_with("2026-11-25T15:00"));
    CHECK(names(s.at("pressured"), "C82002"));
    CHECK(!names(s.at("pressured"), "C82001"));
    CHECK(stored_dates(d).empty());
    CHECK(published(d).empty());
}

TEST_CASE("an admin may build and publish a summary now, others may not", "[summary_api]") {
    test_daemon d;
    auto c = d.client();
    CHECK(c.post("/v1/summaries/daily?date=2026-11-24", "", team_token).status == 403);
    CHECK(c.post("/v1/summaries/daily", "", practice_token).status == 403);
    CHECK(published(d).empty());
    const auto a = c.post("/v1/summaries/daily?date=2026-11-24", "", admin_token);
    REQUIRE(a.status == 201);
    CHECK(a.json().at("date") == "2026-11-24");
    CHECK(stored_dates(d) == std::vector<std::string>{"2026-11-24"});
    REQUIRE(published(d).size() == 1);
    CHECK(published(d)[0] == a.json());
    CHECK(c.post("/v1/summaries/daily?date=2026-11-27", "", admin_token).status == 422);
    // One for today before 09:00 stands as today's: the 09:00 sends no second.
    d.clock().set(at(2026_y / 11 / 26, 8));
    const auto today = c.post("/v1/summaries/daily", "", admin_token);
    REQUIRE(today.status == 201);
    CHECK(today.json().at("date") == "2026-11-26");
    run_at(d, at(2026_y / 11 / 26, 9));
    CHECK(published(d).size() == 2);
    run_at(d, at(2026_y / 11 / 27, 9));
    CHECK(published(d).size() == 3);
}

TEST_CASE("the not-reporting check runs with the 09:00", "[summary_api]") {
    test_daemon d;
    auto c = d.client();
    const std::string history =
        R"({"practice":"C82001","level":1,"reported_at":"2026-11-16T10:00:00Z"})"
        "\n";
    REQUIRE(c.post("/v1/import", history, admin_token, {{"Content-Type", "application/x-ndjson"}})
                .status == 200);
    CHECK(c.get("/v1/alerts?state=all", team_token).json().at("alerts").as_array().empty());
    run_at(d, at(2026_y / 11 / 26, 9));
    const auto alerts = c.get("/v1/alerts", team_token).json();
    CHECK(has_alert(alerts.at("alerts"), "practice-not-reporting", "C82001"));
    CHECK(has_alert(daily(d, "2026-11-26").at("open_alerts"), "practice-not-reporting", "C82001"));
}

TEST_CASE("a reload that moves summary.at never builds a date twice", "[summary_api]") {
    const auto moved_to = [](const std::string& hhmm) {
        return config_options{"summary:\n  at: \"" + hhmm + "\"\n"};
    };
    test_daemon d(moved_to("07:30"));
    run_at(d, at(2026_y / 11 / 26, 7, 30));
    REQUIRE(stored_dates(d) == std::vector<std::string>{"2026-11-26"});
    // Later the same morning the time moves to 10:00: the day is done already.
    write_config(d.dir(), moved_to("10:00"));
    d.daemon().reload(); // run_timers below is queued behind it on the io thread
    run_at(d, at(2026_y / 11 / 26, 10));
    CHECK(published(d).size() == 1);
    // Moved back to 08:00 at 08:30 the next day: that day's is built at once.
    d.clock().set(at(2026_y / 11 / 27, 8, 30));
    write_config(d.dir(), moved_to("08:00"));
    d.daemon().reload();
    run_at(d, at(2026_y / 11 / 27, 8, 30));
    const auto events = published(d);
    REQUIRE(events.size() == 2);
    CHECK(events[1].at("date") == "2026-11-27");
}

TEST_CASE("a summary asked for before 09:00 pictures now, the 09:00 one pictures 09:00",
          "[summary_api]") {
    test_daemon d;
    d.clock().set(at(2026_y / 11 / 26, 8));
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":4})").status == 201);
    d.clock().set(at(2026_y / 11 / 26, 8, 30));
    const auto early = daily(d, "2026-11-26");
    // Every part as of the same moment: now, with the report and its alert.
    CHECK(early.at("as_of") == "2026-11-26T08:30:00.000000Z");
    CHECK(names(early.at("pressured"), "C82001"));
    CHECK(early.at("system").at("reporting") == 1);
    CHECK(has_alert(early.at("open_alerts"), "practice-level-4", "C82001"));
    CHECK(!names(early.at("not_reporting"), "C82001"));

    run_at(d, at(2026_y / 11 / 26, 9));
    d.clock().set(at(2026_y / 11 / 26, 11));
    REQUIRE(submit(d, other_practice_token, R"({"practice":"C82002","level":4})").status == 201);
    const auto nine = daily(d, "2026-11-26");
    CHECK(nine.at("as_of") == "2026-11-26T09:00:00.000000Z");
    CHECK(names(nine.at("pressured"), "C82001"));
    CHECK(!names(nine.at("pressured"), "C82002"));
    CHECK(has_alert(nine.at("open_alerts"), "practice-level-4", "C82001"));
    CHECK(!has_alert(nine.at("open_alerts"), "practice-level-4", "C82002"));
    auto c = d.client();
    const auto html = c.get("/v1/summaries/daily?date=2026-11-26&format=html", team_token);
    CHECK(html.body.find("As of 09:00 on Thu 26 Nov 2026") != std::string::npos);
}

TEST_CASE("a past day's summary shows the alerts open at its 09:00, not those since",
          "[summary_api]") {
    test_daemon d; // Wednesday 25 November, 10:00
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":4})").status == 201);
    d.clock().set(at(2026_y / 11 / 26, 10));
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":1})").status == 201);
    // Thursday's 09:00: the level-4 alert of Wednesday was still open then.
    const auto thu = daily(d, "2026-11-26");
    CHECK(thu.at("as_of") == "2026-11-26T09:00:00.000000Z");
    CHECK(has_alert(thu.at("open_alerts"), "practice-level-4", "C82001"));
    d.clock().set(at(2026_y / 11 / 27, 10));
    CHECK(!has_alert(daily(d, "2026-11-27").at("open_alerts"), "practice-level-4", "C82001"));
}

TEST_CASE("changes are worked out from stored reports when no summary was stored",
          "[summary_api]") {
    test_daemon d; // Wednesday 25 November, 10:00; no summary is ever built here
    auto c = d.client();
    const std::string history =
        R"({"practice":"C82001","level":2,"reported_at":"2026-11-24T15:00:00Z"})"
        "\n"
        R"({"practice":"C82002","level":4,"reported_at":"2026-11-24T15:00:00Z"})"
        "\n";
    REQUIRE(c.post("/v1/import", history, admin_token, {{"Content-Type", "application/x-ndjson"}})
                .status == 200);
    d.clock().set(at(2026_y / 11 / 26, 8));
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":4})").status == 201);
    REQUIRE(submit(d, other_practice_token, R"({"practice":"C82002","level":2})").status == 201);
    d.clock().set(at(2026_y / 11 / 26, 12));
    const auto s = daily(d, "2026-11-26");
    CHECK(stored_dates(d).empty());
    // Against Wednesday 09:00 as the stored reports stood then.
    CHECK(names(s.at("changes").at("escalated"), "C82001"));
    CHECK(names(s.at("changes").at("de_escalated"), "C82002"));
}

TEST_CASE("a group with too few reporting has no level in the summary", "[summary_api]") {
    test_daemon d;
    REQUIRE(submit(d, practice_token, R"({"practice":"C82001","level":4})").status == 201);
    REQUIRE(submit(d, other_practice_token, R"({"practice":"C82002","level":4})").status == 201);
    d.clock().set(at(2026_y / 11 / 25, 12));
    auto c = d.client();
    const auto status = c.get("/v1/status", team_token).json();
    CHECK(status.at("system").at("reporting") == 2);
    CHECK(status.at("system").at("level").is_null()); // 2 reporting: fewer than 3
    for (const auto& [name, g] : status.at("pcns").as_object())
        CHECK(g.at("level").is_null());
    d.clock().set(at(2026_y / 11 / 26, 10));
    const auto html = c.get("/v1/summaries/daily?date=2026-11-26&format=html", team_token);
    CHECK(html.body.find("too few reporting") != std::string::npos);
}
