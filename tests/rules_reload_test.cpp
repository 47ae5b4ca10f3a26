// Reload: a new rule set, practices and calendar swapped into a running
// engine. Alerts of rules that remain carry on; those of removed rules, or of
// removed practices, resolve with a reason; counters are rebuilt.
#include "rules_fixture.hpp"

using namespace opel;
using namespace opel::test;

TEST_CASE("reload carries on the alerts of remaining rules and resolves removed ones",
          "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.submit("C82002", 4);
    const auto pcn = h.open("pcn-cluster", "North PCN");
    REQUIRE(pcn);
    const auto pcn_id = pcn->id;
    const auto cs = h.engine.reload(load_rules("tests/data/rules/good/reload_fewer.yaml"),
                                    h.practices, h.calendar, h.now);
    REQUIRE(resolved(cs, "practice-level-3") == 1);
    CHECK(of(cs, "practice-level-3")[0].after.resolution ==
          "the rule practice-level-3 is no longer in the rules file");
    CHECK(resolved(cs, "unacknowledged-level-4") == 0);
    CHECK(h.open("practice-level-4", "C82002"));
    // pcn-cluster carries on as it was, though it would not fire now.
    REQUIRE(h.open("pcn-cluster", "North PCN"));
    CHECK(h.open("pcn-cluster", "North PCN")->id == pcn_id);
    // The unacknowledged timer is gone with its rule.
    CHECK(h.advance(1h).empty());
    // The next report that touches the PCN judges it by the new rule.
    const auto next = h.submit("C82003", 1);
    CHECK(resolved(next, "pcn-cluster") == 1);
}

TEST_CASE("reload with a practice moved between PCNs rebuilds the counters", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.submit("C82004", 3);
    CHECK_FALSE(h.open("pcn-cluster", "North PCN"));
    auto moved = h.practices;
    for (auto& p : moved)
        if (p.code == "C82004")
            p.pcn = "North PCN";
    CHECK(h.engine.reload(h.rules, moved, h.calendar, h.now).empty());
    const auto cs = h.submit("C82004", 3);
    REQUIRE(fired(cs, "pcn-cluster") == 1);
    CHECK(of(cs, "pcn-cluster")[0].after.evidence == std::vector<std::int64_t>{1, 3});
}

TEST_CASE("reload resolves the alerts of practices no longer in the file", "[rules]") {
    harness h;
    h.submit("C82020", 3);
    auto fewer = h.practices;
    fewer.pop_back();
    const auto cs = h.engine.reload(h.rules, fewer, h.calendar, h.now);
    REQUIRE(resolved(cs, "practice-level-3") == 1);
    CHECK(of(cs, "practice-level-3")[0].after.resolution ==
          "practice C82020 is no longer in the practices file");
}

TEST_CASE("reload keeps the report history the rules look at", "[rules]") {
    harness h;
    h.now = at("2026-11-30T10:00:00Z");
    h.submit("C82001", 3);
    h.now = at("2026-12-01T10:00:00Z");
    h.submit("C82001", 3);
    h.engine.reload(h.rules, h.practices, h.calendar, h.now);
    h.now = at("2026-12-02T10:00:00Z");
    CHECK(fired(h.submit("C82001", 3), "practice-sustained-pressure") == 1);
}

TEST_CASE("resume resolves restored alerts of rules the file no longer has", "[rules]") {
    harness h("tests/data/rules/good/reload_fewer.yaml");
    rules::alert a;
    a.id = 5;
    a.rule = "practice-level-3";
    a.scope = "practice";
    a.subject = "C82001";
    a.level = 3;
    h.engine.restore_alert(a);
    const auto cs = h.engine.resume(h.now);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].after.state == rules::alert_state::resolved);
    CHECK(h.engine.next_alert_id() == 6);
}

TEST_CASE("a national-scale run of 6,300 practices raises nothing at levels 1 and 2", "[rules]") {
    // Not a timing test (bench/rules_bench.cpp is): a scan over all practices
    // per report would make this 19,000-report run take minutes, not a second.
    std::vector<core::practice> many;
    for (int i = 0; i < 6300; ++i) {
        char code[16];
        std::snprintf(code, sizeof code, "E%05d", i);
        many.push_back({code, code, "PCN " + std::to_string(i / 5),
                        "place " + std::to_string(i / 150)});
    }
    harness h("rules/llr.yaml", many);
    std::size_t total = 0;
    for (int round = 0; round < 3; ++round)
        for (const auto& p : many) {
            h.now += 1s;
            total += h.submit(p.code, 1 + (round + static_cast<int>(p.code.back())) % 2).size();
        }
    CHECK(total == 0);
}
