// Group and theme rules: pcn-cluster, place-pressure at its share and
// min-reporting boundaries, theme-cluster at its 24-hour boundary, and
// conditions that change when reports go stale.
#include "rules_fixture.hpp"

using namespace opel;
using namespace opel::test;

namespace {

/// One place ("big") of `n` practices in PCNs of 10.
std::vector<core::practice> big_place(int n) {
    std::vector<core::practice> out;
    for (int i = 0; i < n; ++i) {
        char code[16];
        std::snprintf(code, sizeof code, "D%05d", i);
        out.push_back({code, std::string("Surgery ") + code, "PCN " + std::to_string(i / 10),
                       "big"});
    }
    return out;
}

} // namespace

TEST_CASE("pcn-cluster fires when 2 practices of one PCN stand at 3 or 4", "[rules]") {
    harness h;
    CHECK(fired(h.submit("C82001", 3), "pcn-cluster") == 0);
    CHECK(fired(h.submit("C82004", 3), "pcn-cluster") == 0); // another PCN
    const auto cs = h.submit("C82002", 4);
    REQUIRE(fired(cs, "pcn-cluster") == 1);
    const auto a = of(cs, "pcn-cluster")[0].after;
    CHECK(a.scope == "pcn");
    CHECK(a.subject == "North PCN");
    CHECK(a.evidence == std::vector<std::int64_t>{1, 3});
    CHECK(a.title == "2 practices of North PCN at OPEL 3 or 4");
    CHECK(rules::alert_topic(a) == "alert.L3.pcn.North PCN");
}

TEST_CASE("pcn-cluster repeats on a third practice and resolves below 2", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.submit("C82002", 3);
    auto cs = h.submit("C82003", 3);
    REQUIRE(of(cs, "pcn-cluster").size() == 1);
    CHECK_FALSE(of(cs, "pcn-cluster")[0].notify);
    CHECK(of(cs, "pcn-cluster")[0].after.evidence.size() == 3);
    CHECK(resolved(h.submit("C82001", 1), "pcn-cluster") == 0); // 2 still stand at 3
    cs = h.submit("C82002", 2);
    REQUIRE(resolved(cs, "pcn-cluster") == 1);
    CHECK(of(cs, "pcn-cluster")[0].after.resolution.find("no longer holds: 1 of 3") == 0);
}

TEST_CASE("place-pressure fires at 20% of a place's reporting practices", "[rules]") {
    harness h;
    for (auto c : {"C82011", "C82012", "C82013", "C82014"})
        h.submit(c, 1);
    const auto cs = h.submit("C82010", 3); // 1 of 5 = 20%
    REQUIRE(fired(cs, "place-pressure") == 1);
    const auto a = of(cs, "place-pressure")[0].after;
    CHECK(a.subject == "city");
    CHECK(a.scope == "place");
    CHECK(a.title == "20% of city's reporting practices at OPEL 3 or 4");
    CHECK(a.audiences == std::vector<std::string>{"primary_care_team", "control_room"});
}

TEST_CASE("place-pressure: 19.9% does not fire, 20.0% does", "[rules]") {
    harness h("rules/llr.yaml", big_place(1000));
    for (int i = 0; i < 801; ++i)
        h.submit(h.practices[static_cast<std::size_t>(i)].code, 1);
    changes cs;
    for (int i = 801; i < 1000; ++i) // 199 of 1000 at level 3: 19.9%
        for (auto& c : h.submit(h.practices[static_cast<std::size_t>(i)].code, 3))
            cs.push_back(c);
    CHECK(fired(cs, "place-pressure") == 0);
    cs = h.submit(h.practices[0].code, 3); // 200 of 1000: 20.0%
    REQUIRE(fired(cs, "place-pressure") == 1);
    CHECK(of(cs, "place-pressure")[0].after.evidence.size() == 200);
}

TEST_CASE("a place's share reads with one decimal only when it has one", "[rules]") {
    harness h("rules/llr.yaml", big_place(7));
    const auto code = [&](std::size_t i) { return h.practices[i].code; };
    for (std::size_t i = 2; i < 7; ++i)
        h.submit(code(i), 1);
    CHECK(fired(h.submit(code(0), 3), "place-pressure") == 0); // 1 of 6: 16.7%
    auto cs = h.submit(code(1), 3);                            // 2 of 7: 28.57%
    REQUIRE(fired(cs, "place-pressure") == 1);
    CHECK(of(cs, "place-pressure")[0].after.title ==
          "28.6% of big's reporting practices at OPEL 3 or 4");
    // Another practice joining moves the count: the same alert reads anew,
    // published but not notified, and its text replaces the old one whole.
    cs = h.submit(code(2), 4); // 3 of 7: 42.86%
    REQUIRE(of(cs, "place-pressure").size() == 1);
    CHECK_FALSE(of(cs, "place-pressure")[0].notify);
    CHECK(of(cs, "place-pressure")[0].publish);
    CHECK(of(cs, "place-pressure")[0].after.title ==
          "42.9% of big's reporting practices at OPEL 3 or 4");
    CHECK(h.open("place-pressure", "big")->message.find("3 of the 7 reporting practices") == 0);
    // Back to 2 of 7: a shorter text, nothing left of the longer one.
    cs = h.submit(code(2), 2);
    REQUIRE(of(cs, "place-pressure").size() == 1);
    CHECK(h.open("place-pressure", "big")->title ==
          "28.6% of big's reporting practices at OPEL 3 or 4");
    CHECK(h.open("place-pressure", "big")->message.find("2 of the 7 reporting practices") == 0);
}

TEST_CASE("evidence keeps the latest ids in order when reports come out of id order",
          "[rules]") {
    // A backtest numbers reports by line, so a history not sorted by time
    // hands the engine ids out of order; the evidence is still the latest
    // max_evidence ids, sorted.
    harness h("rules/llr.yaml", big_place(1000));
    const auto code = [&](int i) { return h.practices[static_cast<std::size_t>(i)].code; };
    for (int i = 0; i < 1000; ++i) // ids 1-1000; 250 at level 3 from id 751
        h.submit(code(i), i < 750 ? 1 : 3);
    const auto* a = h.open("place-pressure", "big");
    REQUIRE(a);
    REQUIRE(a->evidence.size() == rules::engine::max_evidence);
    CHECK(a->evidence.front() == 801);
    CHECK(a->evidence.back() == 1000);
    h.next_submission = 5000; // newer than any
    REQUIRE(of(h.submit(code(900), 3), "place-pressure").size() == 1);
    CHECK(a->evidence.front() == 802);
    CHECK(a->evidence.back() == 5000);
    h.next_submission = 900; // held already: nothing changes
    CHECK(of(h.submit(code(901), 3), "place-pressure").empty());
    h.next_submission = 2000; // between: put in its place, the oldest dropped
    REQUIRE(of(h.submit(code(901), 4), "place-pressure").size() == 1);
    CHECK(a->evidence.front() == 803);
    CHECK(a->evidence.size() == rules::engine::max_evidence);
    CHECK(std::is_sorted(a->evidence.begin(), a->evidence.end()));
    CHECK(a->evidence[a->evidence.size() - 2] == 2000);
    h.next_submission = 10; // older than every id kept: no change at all
    CHECK(of(h.submit(code(902), 3), "place-pressure").empty());
    CHECK(a->evidence.size() == rules::engine::max_evidence);
    CHECK(a->evidence.front() == 803);
}

TEST_CASE("place-pressure needs 3 reporting practices: 2 is not enough", "[rules]") {
    harness h;
    h.submit("C82010", 1);
    CHECK(fired(h.submit("C82011", 3), "place-pressure") == 0); // 1 of 2 reporting: 50%
    CHECK(fired(h.submit("C82012", 1), "place-pressure") == 1); // 1 of 3 reporting: 33%
}

TEST_CASE("a report going stale resolves group alerts via on_time", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.submit("C82002", 3);
    h.submit("C82003", 1);
    REQUIRE(h.open("pcn-cluster", "North PCN"));
    REQUIRE(h.open("place-pressure", "county"));
    h.now += 3 * 24h;
    h.submit("C82002", 3); // refreshes C82002; C82001 goes stale first
    // Exactly 7 days old still stands; the next instant it is stale.
    CHECK(h.engine.next_deadline() == at("2026-11-30T09:00:00Z") + 7 * 24h + 1us);
    CHECK(h.advance_to(at("2026-12-07T09:00:00Z")).empty());
    const auto cs = h.advance_to(at("2026-12-07T09:00:01Z"));
    CHECK(resolved(cs, "pcn-cluster") == 1);
    CHECK(resolved(cs, "place-pressure") == 1); // 1 of 1 reporting: below min 3
    CHECK(h.open("practice-level-3", "C82001")); // practice alerts wait for a report
}

TEST_CASE("a stale level-1 report leaving the count can push a place over its share", "[rules]") {
    harness h("rules/llr.yaml", big_place(6));
    const auto code = [&](std::size_t i) { return h.practices[i].code; };
    for (std::size_t i = 0; i < 5; ++i)
        h.submit(code(i), 1);
    h.now += 3 * 24h;
    for (std::size_t i = 1; i < 5; ++i)
        h.submit(code(i), 1);
    CHECK(fired(h.submit(code(5), 3), "place-pressure") == 0); // 1 of 6: 16.7%
    const auto cs = h.advance_to(at("2026-12-07T09:00:01Z"));   // D00000 goes stale
    REQUIRE(fired(cs, "place-pressure") == 1);                  // 1 of 5: 20%
    CHECK(of(cs, "place-pressure")[0].after.title == "20% of big's reporting practices at OPEL 3 or 4");
    CHECK(of(cs, "place-pressure")[0].after.created_at == h.now);
}

TEST_CASE("theme-cluster fires when 3 practices report a theme within 23h59", "[rules]") {
    harness h;
    h.submit("C82001", 2, {"ari"});
    h.now += 12h;
    h.submit("C82010", 2, {"ari", "workforce"});
    h.now += 11h + 59min;
    const auto cs = h.submit("C82020", 1, {"ari"});
    REQUIRE(fired(cs, "theme-cluster") == 1);
    const auto a = of(cs, "theme-cluster")[0].after;
    CHECK(a.scope == "system");
    CHECK(a.subject == "ari");
    CHECK(a.evidence == std::vector<std::int64_t>{1, 2, 3});
    CHECK(a.title == "3 practices report Acute respiratory infection (ARI) within 24 hours");
    CHECK(rules::alert_topic(a) == "alert.L3.system.ari");
}

TEST_CASE("theme-cluster does not fire when the first report is 24h01 old", "[rules]") {
    harness h;
    h.submit("C82001", 2, {"ari"});
    h.now += 12h;
    h.submit("C82010", 2, {"ari"});
    h.advance(12h + 1min);
    CHECK(fired(h.submit("C82020", 1, {"ari"}), "theme-cluster") == 0);
}

TEST_CASE("theme-cluster counts distinct practices", "[rules]") {
    harness h;
    h.submit("C82001", 2, {"telephony"});
    h.submit("C82001", 2, {"telephony"});
    CHECK(fired(h.submit("C82002", 2, {"telephony"}), "theme-cluster") == 0);
    CHECK(fired(h.submit("C82003", 2, {"telephony"}), "theme-cluster") == 1);
}

TEST_CASE("theme-cluster resolves when its window passes, and repeats within it", "[rules]") {
    harness h;
    h.submit("C82001", 2, {"strep_a"});
    h.now += 1h;
    h.submit("C82002", 2, {"strep_a"});
    h.submit("C82003", 2, {"strep_a"});
    h.now += 1h;
    const auto repeat = h.submit("C82004", 2, {"strep_a"});
    REQUIRE(of(repeat, "theme-cluster").size() == 1);
    CHECK_FALSE(of(repeat, "theme-cluster")[0].notify);
    // C82001 leaves: 3 remain, so it still holds; its text now says 3, told to nobody.
    const auto left = h.advance_to(at("2026-12-01T09:00:00Z"));
    REQUIRE(of(left, "theme-cluster").size() == 1);
    CHECK(of(left, "theme-cluster")[0].after.message.starts_with("3 practices reported Strep A"));
    CHECK(of(left, "theme-cluster")[0].published());
    CHECK_FALSE(of(left, "theme-cluster")[0].notify);
    const auto cs = h.advance_to(at("2026-12-01T10:00:00Z"));   // C82002 and 3 leave
    CHECK(resolved(cs, "theme-cluster") == 1);
}

TEST_CASE("a group rule raises nothing on import but sees it on the next live report",
          "[rules]") {
    harness h;
    h.restore("C82001", 3, h.now - 1h);
    h.restore("C82002", 3, h.now - 1h);
    CHECK(h.engine.open_alerts().empty());
    const auto cs = h.submit("C82003", 4);
    REQUIRE(fired(cs, "pcn-cluster") == 1);
    CHECK(of(cs, "pcn-cluster")[0].after.evidence.size() == 3);
}
