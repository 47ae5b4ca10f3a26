// The daily summary's schedule: working days, daylight saving, holidays, and
// what a restarted daemon still owes.
#include "summary/schedule.hpp"

#include "core/time.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace opel;
using date::days;
using std::chrono::hours;
using std::chrono::minutes;

namespace {

core::time_point at(const char* rfc3339) {
    const auto t = core::parse_time(rfc3339);
    REQUIRE(t);
    return *t;
}

summary::schedule london(minutes when = hours{9}) {
    summary::schedule s;
    s.at = when;
    s.tz = date::locate_zone("Europe/London");
    return s;
}

summary::schedule every_day(minutes when = hours{9}) {
    auto s = london(when);
    s.cal.working_days.fill(true);
    return s;
}

date::year_month_day ymd(int y, unsigned m, unsigned d) {
    return date::year{y} / date::month{m} / date::day{d};
}

std::string text(core::time_point t) {
    return core::format_time(t);
}

} // namespace

TEST_CASE("next fire is 09:00 the same working day when before it", "[summary]") {
    const auto s = london();
    CHECK(text(summary::next_fire(s, at("2026-11-24T07:00:00Z"))) == "2026-11-24T09:00:00.000000Z");
}

TEST_CASE("next fire is strictly after: at 09:00 exactly it is the next day", "[summary]") {
    const auto s = london();
    CHECK(text(summary::next_fire(s, at("2026-11-24T09:00:00Z"))) == "2026-11-25T09:00:00.000000Z");
    CHECK(text(summary::next_fire(s, at("2026-11-24T08:59:59.999999Z"))) ==
          "2026-11-24T09:00:00.000000Z");
}

TEST_CASE("09:00 in summer time is 08:00 UTC", "[summary]") {
    const auto s = london();
    CHECK(text(summary::next_fire(s, at("2026-07-01T00:00:00Z"))) == "2026-07-01T08:00:00.000000Z");
}

TEST_CASE("the weekend is skipped: Friday after 09:00 fires on Monday", "[summary]") {
    const auto s = london();
    // 2026-11-27 is a Friday.
    CHECK(text(summary::next_fire(s, at("2026-11-27T12:00:00Z"))) == "2026-11-30T09:00:00.000000Z");
    CHECK(text(summary::next_fire(s, at("2026-11-28T09:30:00Z"))) == "2026-11-30T09:00:00.000000Z");
}

TEST_CASE("spring forward: 09:00 once on the Sunday the clocks change (2026, 2027)", "[summary]") {
    const auto s = every_day();
    // 2026-03-29 and 2027-03-28 are the last Sundays of March.
    const auto sat = summary::next_fire(s, at("2026-03-28T00:00:00Z"));
    const auto sun = summary::next_fire(s, sat);
    const auto mon = summary::next_fire(s, sun);
    CHECK(text(sat) == "2026-03-28T09:00:00.000000Z");
    CHECK(text(sun) == "2026-03-29T08:00:00.000000Z");
    CHECK(text(mon) == "2026-03-30T08:00:00.000000Z");
    CHECK(sun - sat == hours{23});
    CHECK(summary::fire_date(s, sun) == ymd(2026, 3, 29));
    CHECK(text(summary::next_fire(s, at("2027-03-28T00:30:00Z"))) == "2027-03-28T08:00:00.000000Z");
}

TEST_CASE("fall back: 09:00 once on the Sunday the clocks change (2026, 2027)", "[summary]") {
    const auto s = every_day();
    // 2026-10-25 and 2027-10-31 are the last Sundays of October.
    const auto sat = summary::next_fire(s, at("2026-10-24T00:00:00Z"));
    const auto sun = summary::next_fire(s, sat);
    const auto mon = summary::next_fire(s, sun);
    CHECK(text(sat) == "2026-10-24T08:00:00.000000Z");
    CHECK(text(sun) == "2026-10-25T09:00:00.000000Z");
    CHECK(text(mon) == "2026-10-26T09:00:00.000000Z");
    CHECK(sun - sat == hours{25});
    CHECK(text(summary::next_fire(s, at("2027-10-31T01:30:00Z"))) == "2027-10-31T09:00:00.000000Z");
    CHECK(text(summary::next_fire(s, at("2027-10-30T09:00:00Z"))) == "2027-10-31T09:00:00.000000Z");
}

TEST_CASE("a time in the spring-forward gap fires when the clocks go forward", "[summary]") {
    const auto s = every_day(minutes{90}); // 01:30 does not exist on 2026-03-29
    const auto f = summary::next_fire(s, at("2026-03-28T12:00:00Z"));
    CHECK(text(f) == "2026-03-29T01:00:00.000000Z"); // 02:00 BST
    CHECK(summary::fire_date(s, f) == ymd(2026, 3, 29));
    // The next day's 01:30 BST, once.
    CHECK(text(summary::next_fire(s, f)) == "2026-03-30T00:30:00.000000Z");
}

TEST_CASE("a time in the autumn fold fires at its first occurrence, once", "[summary]") {
    const auto s = every_day(minutes{90}); // 01:30 happens twice on 2026-10-25
    const auto f = summary::next_fire(s, at("2026-10-24T12:00:00Z"));
    CHECK(text(f) == "2026-10-25T00:30:00.000000Z"); // 01:30 BST
    CHECK(summary::fire_date(s, f) == ymd(2026, 10, 25));
    // Not again at the second 01:30 (GMT), 01:30Z the same day.
    CHECK(text(summary::next_fire(s, f)) == "2026-10-26T01:30:00.000000Z");
}

TEST_CASE("bank holidays are skipped: Christmas 2026", "[summary]") {
    auto s = london();
    s.cal.holidays = {ymd(2026, 12, 25), ymd(2026, 12, 28)};
    // Thursday 24th after 09:00: not Friday 25th, not Monday 28th, but Tuesday 29th.
    CHECK(text(summary::next_fire(s, at("2026-12-24T10:00:00Z"))) == "2026-12-29T09:00:00.000000Z");
    CHECK(text(summary::next_fire(s, at("2026-12-24T08:00:00Z"))) == "2026-12-24T09:00:00.000000Z");
}

TEST_CASE("a single skip date mid-week is skipped", "[summary]") {
    auto s = london();
    s.cal.holidays = {ymd(2026, 11, 25)}; // a Wednesday
    CHECK(text(summary::next_fire(s, at("2026-11-24T09:00:00Z"))) == "2026-11-26T09:00:00.000000Z");
}

TEST_CASE("a year of fires: one per working day, each at 09:00 local", "[summary]") {
    auto s = london();
    s.cal.holidays = {ymd(2026, 12, 25), ymd(2026, 12, 28)};
    std::set<date::sys_days> dates;
    int fires = 0;
    auto t = at("2026-01-01T00:00:00Z");
    const auto end = at("2027-01-01T00:00:00Z");
    for (t = summary::next_fire(s, t); t < end; t = summary::next_fire(s, t)) {
        ++fires;
        const auto d = summary::fire_date(s, t);
        CHECK(dates.insert(date::sys_days{d}).second);
        CHECK(s.cal.is_working_day(date::sys_days{d}));
        const auto local = s.tz->to_local(t);
        CHECK(local - date::floor<days>(local) == hours{9});
    }
    // 2026 has 261 weekdays; two of them are the holidays.
    CHECK(fires == 259);
}

TEST_CASE("previous fire includes the instant itself", "[summary]") {
    const auto s = london();
    const auto f = at("2026-11-24T09:00:00Z");
    REQUIRE(summary::previous_fire(s, f));
    CHECK(*summary::previous_fire(s, f) == f);
    CHECK(text(*summary::previous_fire(s, f - std::chrono::microseconds{1})) ==
          "2026-11-23T09:00:00.000000Z");
}

TEST_CASE("a calendar without working days never fires and does not hang", "[summary]") {
    auto s = london();
    s.cal.working_days.fill(false);
    CHECK(summary::next_fire(s, at("2026-11-24T07:00:00Z")) == core::time_point::max());
    CHECK_FALSE(summary::previous_fire(s, at("2026-11-24T07:00:00Z")));
}

TEST_CASE("never twice for one date", "[summary]") {
    CHECK(summary::due(ymd(2026, 11, 24), std::nullopt));
    CHECK(summary::due(ymd(2026, 11, 24), ymd(2026, 11, 23)));
    CHECK_FALSE(summary::due(ymd(2026, 11, 24), ymd(2026, 11, 24)));
    CHECK_FALSE(summary::due(ymd(2026, 11, 23), ymd(2026, 11, 24)));
}

TEST_CASE("after several missed days only the latest is owed", "[summary]") {
    const auto s = london();
    const auto created = at("2026-11-01T00:00:00Z");
    // Last built Monday 23rd; down until Thursday 26th 15:00.
    const auto m =
        summary::latest_missed(s, ymd(2026, 11, 23), created, at("2026-11-26T15:00:00Z"));
    REQUIRE(m);
    CHECK(text(*m) == "2026-11-26T09:00:00.000000Z");
    // Back before Thursday's 09:00: Wednesday's is the one owed.
    const auto w =
        summary::latest_missed(s, ymd(2026, 11, 23), created, at("2026-11-26T08:00:00Z"));
    REQUIRE(w);
    CHECK(text(*w) == "2026-11-25T09:00:00.000000Z");
}

TEST_CASE("nothing is owed when today's summary was built", "[summary]") {
    const auto s = london();
    const auto created = at("2026-11-01T00:00:00Z");
    CHECK_FALSE(summary::latest_missed(s, ymd(2026, 11, 26), created, at("2026-11-26T15:00:00Z")));
    // Over a weekend: Friday's was built, nothing is owed on Sunday.
    CHECK_FALSE(summary::latest_missed(s, ymd(2026, 11, 27), created, at("2026-11-29T15:00:00Z")));
    const auto mon =
        summary::latest_missed(s, ymd(2026, 11, 27), created, at("2026-11-30T10:00:00Z"));
    REQUIRE(mon);
    CHECK(summary::fire_date(s, *mon) == ymd(2026, 11, 30));
}

TEST_CASE("a new database has missed nothing", "[summary]") {
    const auto s = london();
    const auto now = at("2026-11-26T15:00:00Z");
    CHECK_FALSE(summary::latest_missed(s, std::nullopt, now, now));
    // Created after Thursday's 09:00, started again on Friday at 08:00.
    CHECK_FALSE(summary::latest_missed(s, std::nullopt, now, at("2026-11-27T08:00:00Z")));
    // Created before Thursday's 09:00 and down over it: Thursday's is owed.
    const auto m = summary::latest_missed(s, std::nullopt, at("2026-11-26T08:00:00Z"),
                                          at("2026-11-27T08:00:00Z"));
    REQUIRE(m);
    CHECK(summary::fire_date(s, *m) == ymd(2026, 11, 26));
}

TEST_CASE("a scheduler with restarts builds each date once", "[summary]") {
    // The scheduler as app runs it: on start the latest missed one (late),
    // then each next fire; restarts at awkward times, down for days.
    auto s = london();
    s.cal.holidays = {ymd(2026, 12, 25), ymd(2026, 12, 28)};
    const auto created = at("2026-12-01T12:00:00Z");
    const std::vector<std::pair<const char*, const char*>> runs{
        {"2026-12-01T12:00:00Z", "2026-12-03T09:00:00Z"}, // stops at the fire instant
        {"2026-12-03T09:00:00Z", "2026-12-04T10:00:00Z"}, // restarts the same microsecond
        {"2026-12-09T07:00:00Z", "2026-12-10T08:00:00Z"}, // down Mon-Tue: owes Tue only
        {"2026-12-10T08:59:00Z", "2026-12-29T09:30:00Z"},
        {"2026-12-29T09:30:00Z", "2026-12-31T00:00:00Z"},
    };
    std::optional<date::year_month_day> last;
    std::vector<std::pair<date::year_month_day, bool>> built;
    const auto build = [&](core::time_point f, bool late) {
        const auto d = summary::fire_date(s, f);
        if (!summary::due(d, last)) return;
        built.emplace_back(d, late);
        last = d;
    };
    for (const auto& [start, stop] : runs) {
        if (const auto m = summary::latest_missed(s, last, created, at(start))) build(*m, true);
        for (auto f = summary::next_fire(s, at(start)); f <= at(stop); f = summary::next_fire(s, f))
            build(f, false);
    }
    std::set<date::sys_days> seen;
    for (const auto& [d, late] : built)
        CHECK(seen.insert(date::sys_days{d}).second);
    // 2 Dec to 31 Dec less the weekends, the two holidays, and 7 and 8 Dec missed
    // while down (8 Dec is built late, 7 Dec never).
    CHECK(built.front().first == ymd(2026, 12, 2));
    CHECK(seen.count(date::sys_days{ymd(2026, 12, 7)}) == 0);
    CHECK(seen.count(date::sys_days{ymd(2026, 12, 8)}) == 1);
    const auto late8 = std::find_if(built.begin(), built.end(),
                                    [](const auto& b) { return b.first == ymd(2026, 12, 8); });
    REQUIRE(late8 != built.end());
    CHECK(late8->second);
    CHECK(seen.count(date::sys_days{ymd(2026, 12, 25)}) == 0);
    CHECK(seen.count(date::sys_days{ymd(2026, 12, 28)}) == 0);
    CHECK(built.back().first == ymd(2026, 12, 30));
    CHECK(built.size() == 18);
}
