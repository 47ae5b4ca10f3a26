// The `support` condition and the shipped practice-unsupported rule: a
// practice at 3 or 4 with no support open after 2 working days, measured to
// the same local time of day across weekends and bank holidays, resolved by
// an offer or a report at 2, and restarted when the last open item closes.
#include "rules_fixture.hpp"

using namespace opel;
using namespace opel::test;

namespace {

constexpr const char* rule = "practice-unsupported";

} // namespace

TEST_CASE("unsupported fires 2 working days after the run began, not a moment sooner",
          "[rules][support]") {
    harness h("rules/llr.yaml", default_practices(), at("2026-11-27T10:00:00Z")); // a Friday
    CHECK(fired(h.submit("C82001", 4), rule) == 0);
    // Friday 10:00 + 2 working days: Tuesday 10:00 (the weekend does not count).
    CHECK(fired(h.advance_to(at("2026-12-01T09:59:59.999999Z")), rule) == 0);
    const auto cs = h.advance_to(at("2026-12-01T10:00:00Z"));
    REQUIRE(fired(cs, rule) == 1);
    const auto a = of(cs, rule)[0].after;
    CHECK(a.level == 3);
    CHECK(a.audiences == std::vector<std::string>{"primary_care_team"});
    CHECK(a.subject == "C82001");
}

TEST_CASE("unsupported counts bank holidays out of its working days", "[rules][support]") {
    harness h("rules/llr.yaml", default_practices(), at("2026-12-24T10:00:00Z")); // Thursday
    h.submit("C82001", 3);
    // 25th and 28th are holidays, 26th and 27th a weekend: 29th, 30th.
    CHECK(fired(h.advance_to(at("2026-12-29T10:00:00Z")), rule) == 0);
    CHECK(fired(h.advance_to(at("2026-12-30T10:00:00Z")), rule) == 1);
}

TEST_CASE("an offer resolves it, and its closing starts the check again", "[rules][support]") {
    harness h;
    h.submit("C82001", 4);
    h.advance_to(at("2026-12-02T09:00:00Z"));
    REQUIRE(h.open(rule, "C82001"));
    const auto offered = h.engine.on_support("C82001", true, h.now);
    CHECK(of(offered, rule).size() == 1);
    CHECK_FALSE(h.open(rule, "C82001"));
    // Declined a day later: nothing open, the run is past due, so it fires again.
    h.now = at("2026-12-03T09:00:00Z");
    CHECK(fired(h.engine.on_support("C82001", false, h.now), rule) == 1);
}

TEST_CASE("support offered before the deadline keeps it quiet", "[rules][support]") {
    harness h;
    h.submit("C82001", 3);
    h.engine.on_support("C82001", true, h.now);
    CHECK(fired(h.advance_to(at("2026-12-09T09:00:00Z")), rule) == 0);
}

TEST_CASE("a report at 2 resolves it and ends the run", "[rules][support]") {
    harness h;
    h.submit("C82001", 4);
    h.advance_to(at("2026-12-02T09:00:00Z"));
    REQUIRE(h.open(rule, "C82001"));
    h.now = at("2026-12-02T10:00:00Z");
    h.submit("C82001", 2);
    CHECK_FALSE(h.open(rule, "C82001"));
    // A new run at 3 starts the 2 working days again from its first report.
    h.now = at("2026-12-03T10:00:00Z");
    h.submit("C82001", 3);
    CHECK(fired(h.advance_to(at("2026-12-05T10:00:00Z")), rule) == 0); // Saturday
    CHECK(fired(h.advance_to(at("2026-12-07T09:59:00Z")), rule) == 0);
    CHECK(fired(h.advance_to(at("2026-12-07T10:00:00Z")), rule) == 1); // Monday: 4th, 7th
}

TEST_CASE("a restart keeps the wait and the support the practice has", "[rules][support]") {
    harness h;
    h.restore("C82001", 4, at("2026-11-30T09:00:00Z"));
    h.restore("C82002", 4, at("2026-11-30T09:00:00Z"));
    h.engine.restore_support("C82002", true);
    const auto cs = h.engine.resume(at("2026-12-02T09:00:00Z"));
    CHECK(fired(cs, rule) == 1);
    CHECK(of(cs, rule)[0].after.subject == "C82001");
}

TEST_CASE("the support condition is checked at load", "[rules][support]") {
    std::vector<core::diagnostic> errors;
    const auto file = std::filesystem::path(OPEL_SOURCE_DIR) /
                      "tests/data/rules/bad_support_condition.yaml";
    CHECK(rules::load_rule_set(file, errors) == nullptr);
    std::string out;
    for (const auto& e : errors)
        out += e.to_string() + "\n";
    INFO(out);
    CHECK(out.find(file.string() + ":5: state: expected none") != std::string::npos);
    CHECK(out.find(file.string() + ":5: for: expected a number of working days") !=
          std::string::npos);
    CHECK(out.find(file.string() + ":12: support: for is required") != std::string::npos);
}
