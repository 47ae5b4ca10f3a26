// The backtest behind `opelctl rules test`: a history replayed on a simulated
// clock, with timers and daily not-reporting checks firing at their own times.
#include "rules/backtest.hpp"
#include "rules_fixture.hpp"

#include <fstream>

using namespace opel;
using namespace opel::test;

namespace {

rules::backtest_result replay(bool with_practices,
                              rules::backtest_keep keep = rules::backtest_keep::all) {
    rules::backtest_options o;
    o.keep = keep;
    o.rules = load_rules("rules/llr.yaml");
    if (with_practices)
        o.practices = default_practices();
    o.calendar = default_calendar();
    o.zone = date::locate_zone("Europe/London");
    std::ifstream in(std::string(OPEL_SOURCE_DIR) + "/tests/data/rules/history.ndjson");
    REQUIRE(in);
    return rules::run_backtest(in, "history.ndjson", o);
}

int fired_count(const rules::backtest_result& r, const std::string& rule) {
    for (const auto& [name, n] : r.fired)
        if (name == rule)
            return n;
    FAIL("no rule " << rule);
    return -1;
}

} // namespace

TEST_CASE("a backtest replays history and counts what each rule would have fired", "[rules]") {
    const auto r = replay(true);
    CHECK(r.reports == 7);
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].line == 4);
    CHECK(r.rejected[0].to_string().rfind("history.ndjson:4: ", 0) == 0);
    CHECK(fired_count(r, "practice-level-3") == 1);
    CHECK(fired_count(r, "practice-level-4") == 2);
    CHECK(fired_count(r, "pcn-cluster") == 1);
    CHECK(fired_count(r, "practice-sustained-pressure") == 1);
    CHECK(fired_count(r, "theme-cluster") == 1);
    CHECK(fired_count(r, "unacknowledged-level-4") == 2);
    CHECK(fired_count(r, "place-pressure") == 0); // county: 2 reporting, below the minimum 3
    // Tuesday 09:00: the nine practices yet to report (three report on Wednesday).
    CHECK(fired_count(r, "practice-not-reporting") == 9);
    // A backtest has no support items: the run at 3 or 4 that sustained pressure
    // sees is also left unsupported (docs/support.md).
    CHECK(fired_count(r, "practice-unsupported") == 2);
    CHECK(r.fired.size() == 10);
}

TEST_CASE("a backtest fires timers at their own simulated time", "[rules]") {
    const auto r = replay(true);
    std::vector<core::time_point> unack;
    for (const auto& c : r.changes)
        if (c.change.after.rule == "unacknowledged-level-4" && rules::is_firing(c.change))
            unack.push_back(c.at);
    REQUIRE(unack.size() == 2);
    CHECK(unack[0] == at("2026-11-30T10:35:00Z"));
    CHECK(unack[1] == at("2026-12-02T10:30:00Z"));
    for (const auto& c : r.changes)
        if (c.change.after.rule == "practice-not-reporting" && rules::is_firing(c.change))
            CHECK(c.at == at("2026-12-01T09:00:00Z"));
}

TEST_CASE("a backtest with no practices file infers them and skips PCN and place rules",
          "[rules]") {
    const auto r = replay(false);
    CHECK(r.rejected.size() == 1);
    CHECK(fired_count(r, "pcn-cluster") == 0);
    CHECK(fired_count(r, "place-pressure") == 0);
    CHECK(fired_count(r, "theme-cluster") == 1);
    // The city practices appear in the history but report only on Wednesday.
    CHECK(fired_count(r, "practice-not-reporting") == 3);
}

TEST_CASE("a backtest prints each firing with its reason, and JSON for machines", "[rules]") {
    const auto r = replay(true);
    const auto text = rules::format_text(r, date::locate_zone("Europe/London"), false);
    CHECK(text.find("2026-11-30 10:35:00 GMT  fired  unacknowledged-level-4") != std::string::npos);
    CHECK(text.find("why: C82002 reported level 4") != std::string::npos);
    CHECK(text.find("rejected: history.ndjson:4: ") != std::string::npos);
    CHECK(text.find("  theme-cluster                1\n") != std::string::npos);
    const auto j = rules::to_json(r, false);
    CHECK(j.at("reports") == 7);
    CHECK(j.at("fired").at("practice-level-4") == 2);
    CHECK(j.at("rejected").at(0).at("line") == 4);
    CHECK(j.at("changes").at(0).at("alert").at("rule") == "practice-level-3");
    const auto all = rules::to_json(r, true);
    CHECK(all.at("changes").as_array().size() > j.at("changes").as_array().size());
}

TEST_CASE("a backtest keeps only the changes asked for and counts every one", "[rules]") {
    const auto all = replay(true);
    const auto firings = replay(true, rules::backtest_keep::firings);
    const auto none = replay(true, rules::backtest_keep::none);
    CHECK(all.changes.size() == all.changes_made);
    REQUIRE(all.changes_made > 0);
    std::size_t firing = 0;
    for (const auto& c : all.changes)
        firing += rules::is_firing(c.change);
    REQUIRE(firing < all.changes_made); // the history has repeats and resolutions too
    CHECK(firings.changes.size() == firing);
    for (const auto& c : firings.changes)
        CHECK(rules::is_firing(c.change));
    CHECK(none.changes.empty());
    // What the table and the counts say does not depend on what was kept.
    for (const auto* r : {&firings, &none}) {
        CHECK(r->changes_made == all.changes_made);
        CHECK(r->fired == all.fired);
        CHECK(rules::format_per_day(r->noise) == rules::format_per_day(all.noise));
    }
    // The table counted as the replay went is the one made from every change.
    const auto london = date::locate_zone("Europe/London");
    CHECK(rules::format_per_day(all.noise) ==
          rules::format_per_day(rules::per_day(all, london)));
    CHECK_FALSE(all.noise.empty());
}
