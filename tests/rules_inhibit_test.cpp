// One voice per practice: inhibitions in the shipped rules and in a fixture.
// An inhibited alert is recorded with inhibited_by and published, never
// delivered; when the alert that speaks for it resolves while it still
// holds, it is delivered then. Group alerts' texts follow their counts.
#include "rules_fixture.hpp"

using namespace opel;
using namespace opel::test;

namespace {

/// How many deliveries `cs` makes to `audience` (changes with notify set)
/// about the practice's escalation: practice-unsupported is the team's own
/// reminder that nobody has offered support yet, not the practice's voice.
int told(const changes& cs, const std::string& audience) {
    return static_cast<int>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
        const auto& a = c.after.audiences;
        return c.notify && c.after.rule != "practice-unsupported" &&
               std::find(a.begin(), a.end(), audience) != a.end();
    }));
}

/// The last change of `rule` in `cs` (the test fails when there is none).
rules::alert_change last_of(const changes& cs, const std::string& rule) {
    const auto mine = of(cs, rule);
    REQUIRE(!mine.empty());
    return mine.back();
}

} // namespace

TEST_CASE("a practice rising from 1 to 4 is one notification per audience", "[rules]") {
    harness h;
    h.submit("C82001", 1);
    h.now += 1h;
    const auto cs = h.submit("C82001", 4, {"workforce"});
    CHECK(told(cs, "primary_care_team") == 1);
    CHECK(told(cs, "control_room") == 1);
    const auto l4 = last_of(cs, "practice-level-4");
    CHECK(l4.notify);
    CHECK_FALSE(l4.after.inhibited_by);
    // The one voice says what happened: the rise is in its text.
    CHECK(l4.after.message.find("up from OPEL 1") != std::string::npos);
    // The rise alert is raised, recorded and published, but not delivered.
    const auto rise = last_of(cs, "practice-rapid-rise");
    CHECK(rise.after.state == rules::alert_state::firing);
    CHECK(rise.after.inhibited_by == l4.after.id);
    CHECK_FALSE(rise.notify);
    CHECK(rise.published());
    REQUIRE(h.open("practice-rapid-rise", "C82001"));
    CHECK(h.open("practice-rapid-rise", "C82001")->inhibited_by == l4.after.id);
}

TEST_CASE("level 3 then 4: the level-3 alert is inhibited, not told again", "[rules]") {
    harness h;
    const auto first = h.submit("C82001", 3);
    CHECK(told(first, "primary_care_team") == 1);
    const auto l3 = last_of(first, "practice-level-3");
    CHECK(l3.after.message.find("in its first report") != std::string::npos);
    h.now += 2h;
    const auto cs = h.submit("C82001", 4);
    CHECK(told(cs, "primary_care_team") == 1);
    CHECK(told(cs, "control_room") == 1);
    const auto three = last_of(cs, "practice-level-3");
    CHECK(three.after.state == rules::alert_state::firing);
    CHECK(three.after.inhibited_by == last_of(cs, "practice-level-4").after.id);
    CHECK(three.published());
    CHECK_FALSE(three.notify);
}

TEST_CASE("a practice back to 2: the voice resolves, the inhibited alerts end quietly", "[rules]") {
    harness h;
    h.submit("C82001", 1);
    h.now += 1h;
    h.submit("C82001", 4);
    h.now += 10min; // within the unacknowledged rule's 30 minutes
    h.submit("C82001", 3); // the level-4 alert stands until 2 or below
    REQUIRE(h.open("practice-level-3", "C82001"));
    CHECK(h.open("practice-level-3", "C82001")->inhibited_by);
    h.now += 10min;
    const auto cs = h.submit("C82001", 2);
    CHECK(resolved(cs, "practice-level-4") == 1);
    CHECK(resolved(cs, "practice-level-3") == 1);
    CHECK(resolved(cs, "practice-rapid-rise") == 1);
    CHECK(told(cs, "primary_care_team") == 1); // only the level-4 alert's end
    CHECK(told(cs, "control_room") == 1);
    for (const auto& c : cs)
        if (c.after.rule != "practice-level-4")
            CHECK(c.published());
}

TEST_CASE("three working days at 3 raise the practice's one voice to 4", "[rules]") {
    harness h; // Monday 2026-11-30 09:00Z
    const auto mon = h.submit("C82001", 3);
    CHECK(told(mon, "primary_care_team") == 1);
    h.now += 24h;
    const auto tue = h.submit("C82001", 3);
    CHECK(told(tue, "primary_care_team") == 0);
    CHECK(told(tue, "control_room") == 0);
    h.now += 24h;
    const auto wed = h.submit("C82001", 3);
    CHECK(told(wed, "primary_care_team") == 1);
    CHECK(told(wed, "control_room") == 1);
    const auto sustained = last_of(wed, "practice-sustained-pressure");
    CHECK(sustained.notify);
    CHECK(sustained.after.level == 4);
    CHECK(last_of(wed, "practice-level-3").after.inhibited_by == sustained.after.id);
}

TEST_CASE("three days at 4: the sustained alert is inhibited by the level-4 one", "[rules]") {
    harness h;
    h.submit("C82001", 4);
    h.now += 24h;
    h.submit("C82001", 4);
    h.now += 24h;
    const auto cs = h.submit("C82001", 4);
    CHECK(told(cs, "primary_care_team") == 0);
    CHECK(told(cs, "control_room") == 0);
    const auto sustained = last_of(cs, "practice-sustained-pressure");
    CHECK(sustained.after.inhibited_by);
    CHECK(sustained.published());
}

TEST_CASE("when the inhibiting alert resolves while the other holds, the other is told",
          "[rules]") {
    harness h("tests/data/rules/good/inhibit_release.yaml");
    const auto rise = h.submit("C82001", 4);
    CHECK(told(rise, "primary_care_team") == 1);
    const auto four = last_of(rise, "at-four");
    CHECK(last_of(rise, "at-three").after.inhibited_by == four.after.id);
    h.now += 1h;
    // 3: at-four resolves (resolve_at_most 3), at-three still holds.
    const auto cs = h.submit("C82001", 3);
    CHECK(resolved(cs, "at-four") == 1);
    const auto released = last_of(cs, "at-three");
    CHECK(released.after.state == rules::alert_state::firing);
    CHECK_FALSE(released.after.inhibited_by);
    CHECK(released.notify);
    CHECK(released.why.find("no longer inhibited") != std::string::npos);
    CHECK(told(cs, "primary_care_team") == 2); // the end of one, the other's voice
    // A later repeat is not told again.
    h.now += 1h;
    CHECK(told(h.submit("C82001", 3), "primary_care_team") == 0);
}

TEST_CASE("an inhibited alert acknowledged is published, not delivered", "[rules]") {
    harness h;
    h.submit("C82001", 1);
    h.now += 1h;
    h.submit("C82001", 4);
    const auto* rise = h.open("practice-rapid-rise", "C82001");
    REQUIRE(rise);
    const auto cs = h.ack(rise->id);
    REQUIRE(!cs.empty());
    CHECK_FALSE(cs.front().notify);
    CHECK(cs.front().published());
}

TEST_CASE("a group alert's text follows its counts, told only once", "[rules]") {
    harness h; // place county: C82001-C82005
    h.submit("C82001", 3);
    h.now += 1min;
    h.submit("C82002", 3);
    h.now += 1min;
    const auto fired = h.submit("C82004", 3);
    const auto place = last_of(fired, "place-pressure");
    CHECK(place.notify);
    CHECK(place.after.message.find("3 of the 3 reporting practices in county") !=
          std::string::npos);
    // A practice of the place joins at level 1: the share falls, the text follows.
    h.now += 1min;
    const auto joined = h.submit("C82005", 1);
    const auto moved = last_of(joined, "place-pressure");
    CHECK(moved.after.message.find("3 of the 4 reporting practices in county") !=
          std::string::npos);
    CHECK(moved.published());
    CHECK_FALSE(moved.notify);
    // Nothing moved: nothing published.
    h.now += 1min;
    CHECK(of(h.submit("C82005", 1), "place-pressure").empty());
}

TEST_CASE("a group alert's text is re-rendered when a practice goes stale", "[rules]") {
    harness h; // North PCN: C82001-C82003
    h.submit("C82001", 3);
    h.now += 48h;
    h.submit("C82002", 3);
    const auto cs = h.submit("C82003", 3);
    const auto pcn = last_of(cs, "pcn-cluster");
    CHECK(pcn.after.message.find("3 of the 3 reporting practices of North PCN") !=
          std::string::npos);
    // C82001's report is 7 days old at 09:00 a week after it: stale.
    const auto stale = h.advance_to(at("2026-12-07T09:00:01Z"));
    const auto now = last_of(stale, "pcn-cluster");
    CHECK(now.after.state == rules::alert_state::firing);
    CHECK(now.after.message.find("2 of the 2 reporting practices of North PCN") !=
          std::string::npos);
    CHECK(now.published());
    CHECK_FALSE(now.notify);
}
