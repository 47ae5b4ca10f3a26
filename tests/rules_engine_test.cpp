// The engine's practice rules and the alert lifecycle: fire, repeat, resolve,
// supersede, acknowledge, worsen, ids, JSON and topics.
#include "rules_fixture.hpp"

#include <set>

using namespace opel;
using namespace opel::test;
using rules::alert_state;

TEST_CASE("practice-level-3 fires on a level 3 report with the OPEL name, colour and support",
          "[rules]") {
    harness h;
    const auto cs = h.submit("C82001", 3, {"workforce", "ari"}, "two GPs off sick");
    REQUIRE(fired(cs, "practice-level-3") == 1);
    const auto a = of(cs, "practice-level-3").front().after;
    CHECK(a.id == 1);
    CHECK(a.level == 3);
    CHECK(a.scope == "practice");
    CHECK(a.subject == "C82001");
    CHECK(a.audiences == std::vector<std::string>{"primary_care_team"});
    CHECK(a.evidence == std::vector<std::int64_t>{1});
    CHECK(a.title == "Surgery C82001 (C82001) is at OPEL 3: Severe pressure");
    CHECK(a.message.find("amber") != std::string::npos);
    CHECK(a.message.find("PCN-level support") != std::string::npos);
    // Themes by the rules file's names: one vocabulary wherever a person reads.
    CHECK(a.message.find("Themes: Workforce (sickness, vacancies), Acute respiratory infection "
                         "(ARI).") != std::string::npos);
    CHECK(a.message.find("two GPs off sick") != std::string::npos);
    CHECK(a.created_at == h.now);
    CHECK(a.fired_at == h.now);
    CHECK(cs.size() == 1);
}

TEST_CASE("a note's own full stop does not double the template's", "[rules]") {
    harness h;
    const auto cs = h.submit("C82001", 4, {}, "Two GPs off sick.");
    const auto a = of(cs, "practice-level-4").front().after;
    CHECK(a.message.find("Note: Two GPs off sick. Support requested") != std::string::npos);
    CHECK(a.message.find("..") == std::string::npos);
}

TEST_CASE("a level 1 or 2 report raises no practice alert", "[rules]") {
    harness h;
    CHECK(h.submit("C82001", 1).empty());
    CHECK(h.submit("C82002", 2).empty());
    CHECK(h.engine.open_alerts().empty());
}

TEST_CASE("a repeat adds evidence and refreshes without notifying", "[rules]") {
    harness h;
    h.submit("C82001", 3, {}, "first");
    h.now += 2h;
    const auto cs = h.submit("C82001", 3, {}, "second");
    const auto mine = of(cs, "practice-level-3");
    REQUIRE(mine.size() == 1);
    CHECK_FALSE(mine[0].notify);
    CHECK(mine[0].after.id == 1);
    CHECK(mine[0].after.evidence == std::vector<std::int64_t>{1, 2});
    CHECK(mine[0].after.updated_at == h.now);
    CHECK(mine[0].after.message.find("second") != std::string::npos);
    CHECK(h.engine.open_alerts().size() == 1);
}

TEST_CASE("only the change that opens an alert is marked created", "[rules]") {
    // The store inserts a created alert's row without first trying to
    // update one: a repeat, a worse level, a timer's firing or a resolution
    // of an alert already seen is not created; each alert's first change is.
    harness h;
    std::set<std::int64_t> seen;
    int created = 0;
    const auto check = [&](const std::vector<rules::alert_change>& changes) {
        for (const auto& c : changes) {
            INFO(c.after.rule << " " << c.after.id << " " << rules::state_name(c.after.state));
            CHECK(c.created == seen.insert(c.after.id).second);
            created += c.created ? 1 : 0;
        }
    };
    check(h.submit("C82001", 3));
    REQUIRE(created == 1);
    for (const int level : {3, 4, 4, 2, 4, 1}) {
        h.now += 1h;
        check(h.submit("C82001", level));
    }
    CHECK(created > 2); // those opened again after the level 2 have new ids
}

TEST_CASE("a practice alert resolves when the practice reports level 2 or below", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    SECTION("level 2") {
        const auto cs = h.submit("C82001", 2);
        REQUIRE(resolved(cs, "practice-level-3") == 1);
        CHECK(of(cs, "practice-level-3")[0].notify);
        CHECK(of(cs, "practice-level-3")[0].after.resolution == "C82001 reported level 2");
    }
    SECTION("level 1") { CHECK(resolved(h.submit("C82001", 1), "practice-level-3") == 1); }
    CHECK(h.engine.open_alerts().empty());
}

TEST_CASE("level 4 supersedes the practice's level-3 alert, after firing", "[rules]") {
    harness h("tests/data/rules/good/supersedes.yaml");
    h.submit("C82001", 3);
    const auto cs = h.submit("C82001", 4);
    REQUIRE(fired(cs, "practice-level-4") == 1);
    REQUIRE(resolved(cs, "practice-level-3") == 1);
    const auto l4 = std::find_if(cs.begin(), cs.end(), [](auto& c) { return c.after.level == 4; });
    const auto l3 = std::find_if(cs.begin(), cs.end(),
                                 [](auto& c) { return c.after.rule == "practice-level-3"; });
    CHECK(l4 < l3);
    CHECK(l3->after.resolution.rfind("superseded by practice-level-4", 0) == 0);
    CHECK(l4->after.audiences == std::vector<std::string>{"primary_care_team", "control_room"});
}

TEST_CASE("a practice back at 3 from 4 keeps its level-4 alert and tells no level-3", "[rules]") {
    harness h;
    h.submit("C82001", 4);
    const auto cs = h.submit("C82001", 3);
    CHECK(fired(cs, "practice-level-3") == 0); // raised, but the level-4 alert speaks for it
    CHECK(of(cs, "practice-level-3").at(0).after.inhibited_by);
    REQUIRE(h.open("practice-level-4", "C82001"));
    CHECK(resolved(h.submit("C82001", 2), "practice-level-4") == 1);
}

TEST_CASE("practice-rapid-rise fires at the new level on a rise of 2 or more", "[rules]") {
    harness h;
    h.submit("C82001", 1);
    h.submit("C82002", 2);
    h.submit("C82003", 1);
    h.now += 1h;
    auto cs = h.submit("C82001", 3);
    REQUIRE(raised(cs, "practice-rapid-rise") == 1);
    CHECK(of(cs, "practice-rapid-rise")[0].after.level == 3);
    CHECK(of(cs, "practice-rapid-rise")[0].after.title ==
          "Surgery C82001 (C82001) rose from OPEL 1 to 3");
    cs = h.submit("C82002", 4);
    REQUIRE(raised(cs, "practice-rapid-rise") == 1);
    CHECK(of(cs, "practice-rapid-rise")[0].after.level == 4);
    CHECK(raised(h.submit("C82003", 2), "practice-rapid-rise") == 0);
}

TEST_CASE("a rise of 1, or a first report, is not a rapid rise", "[rules]") {
    harness h;
    CHECK(raised(h.submit("C82001", 4), "practice-rapid-rise") == 0); // first report
    h.submit("C82002", 2);
    CHECK(raised(h.submit("C82002", 3), "practice-rapid-rise") == 0);
}

TEST_CASE("a rapid rise compares with the previous report however old", "[rules]") {
    harness h;
    h.restore("C82001", 1, h.now - 30 * 24h);
    CHECK(raised(h.submit("C82001", 3), "practice-rapid-rise") == 1);
}

TEST_CASE("acknowledging records who and the note and stops nothing else", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.now += 5min;
    const auto cs = h.ack(1, "icb duty manager", "called the practice");
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].notify);
    CHECK(cs[0].after.state == alert_state::acknowledged);
    CHECK(cs[0].after.acknowledged_by == "icb duty manager");
    CHECK(cs[0].after.note == "called the practice");
    CHECK(cs[0].after.updated_at == h.now);
    CHECK(h.engine.find(1)->state == alert_state::acknowledged);
}

TEST_CASE("acknowledging an unknown or resolved alert is an error, and twice changes nothing",
          "[rules]") {
    harness h;
    CHECK(std::holds_alternative<std::string>(h.engine.acknowledge(42, "team", "", h.now)));
    h.submit("C82001", 3);
    h.ack(1);
    const auto again = h.ack(1, "someone else");
    REQUIRE(again.size() == 1);
    CHECK_FALSE(again[0].notify);
    CHECK(again[0].after.acknowledged_by == "team");
    h.submit("C82001", 1);
    CHECK(std::holds_alternative<std::string>(h.engine.acknowledge(1, "team", "", h.now)));
}

TEST_CASE("an acknowledged alert that repeats stays acknowledged and quiet", "[rules]") {
    harness h;
    h.submit("C82001", 3);
    h.ack(1);
    const auto cs = h.submit("C82001", 3);
    REQUIRE(cs.size() == 1);
    CHECK_FALSE(cs[0].notify);
    CHECK(cs[0].after.state == alert_state::acknowledged);
}

TEST_CASE("an acknowledged alert that worsens fires again at the higher level", "[rules]") {
    harness h("tests/data/rules/good/worsening.yaml");
    h.submit("C82001", 3);
    h.ack(1, "team", "on it");
    h.now += 1h;
    const auto cs = h.submit("C82001", 4);
    REQUIRE(cs.size() == 1);
    CHECK(cs[0].notify);
    CHECK(cs[0].after.id == 1);
    CHECK(cs[0].after.level == 4);
    CHECK(cs[0].after.state == alert_state::firing);
    CHECK(cs[0].after.fired_at == h.now);
    CHECK(cs[0].after.acknowledged_by.empty());
    CHECK(cs[0].after.evidence == std::vector<std::int64_t>{1, 2});
}

TEST_CASE("alert ids count up and continue after the highest restored id", "[rules]") {
    harness h;
    rules::alert old;
    old.id = 41;
    old.rule = "practice-level-3";
    old.state = alert_state::resolved;
    h.engine.restore_alert(old);
    CHECK(h.engine.next_alert_id() == 42);
    CHECK(h.engine.open_alerts().empty());
    const auto cs = h.submit("C82001", 3);
    CHECK(cs[0].after.id == 42);
    CHECK(h.submit("C82002", 3)[0].after.id == 43);
}

TEST_CASE("reports from unknown practices are ignored", "[rules]") {
    harness h;
    CHECK(h.submit("C99999", 4).empty());
}

TEST_CASE("rule filters restrict a rule to places or PCNs", "[rules]") {
    harness h("tests/data/rules/good/filters.yaml");
    CHECK(fired(h.submit("C82001", 3), "city-level-3") == 0);
    CHECK(fired(h.submit("C82010", 3), "city-level-3") == 1);
    CHECK(fired(h.submit("C82013", 3), "pcn-a-level-3") == 0);
    CHECK(fired(h.submit("C82011", 3), "pcn-a-level-3") == 1);
}

TEST_CASE("an alert renders as the contract's Alert and round-trips", "[rules]") {
    harness h;
    const auto a = h.submit("C82001", 4)[0].after;
    const auto j = rules::to_json(a);
    for (const auto* key : {"id", "rule", "level", "scope", "subject", "audiences", "title",
                            "message", "evidence", "state", "created_at", "updated_at"})
        CHECK(j.contains(key));
    CHECK(j.at("state") == "firing");
    CHECK(j.at("created_at") == "2026-11-30T09:00:00.000000Z");
    CHECK(j.at("acknowledged_by").is_null());
    const auto back = rules::alert_from_json(j);
    REQUIRE(back);
    CHECK(back->id == a.id);
    CHECK(back->title == a.title);
    CHECK(back->evidence == a.evidence);
    CHECK(back->fired_at == a.fired_at);
    CHECK(rules::alert_topic(a) == "alert.L4.practice.C82001");
    CHECK_FALSE(rules::alert_from_json(boost::json::value("nope")));
}

TEST_CASE("an alert's JSON text is serialize(to_json) byte for byte, every escape too",
          "[rules]") {
    harness h;
    auto a = h.submit("C82001", 4)[0].after;
    CHECK(rules::to_json_text(a) == boost::json::serialize(rules::to_json(a)));
    // Every byte below 0x80 (control characters, quote, backslash, slash),
    // multi-byte UTF-8, long texts, every optional field set.
    std::string every;
    for (int c = 1; c < 0x80; ++c)
        every += static_cast<char>(c);
    a.title = every;
    a.message = std::string(5000, 'm') + "\u00e9\u2014\U0001F600\"end\\";
    a.note = std::string(3000, 'n') + "\x1f\t";
    a.acknowledged_by = "ops@example.nhs.uk";
    a.resolution = "resolved: \"level 1\"";
    a.rule = "r\n";
    a.subject = "City/PCN";
    a.audiences = {"primary_care_team", "control_room", ""};
    a.inhibited_by = 42;
    a.silenced = true;
    a.state = rules::alert_state::acknowledged;
    for (std::int64_t i = 0; i < 500; ++i)
        a.evidence.push_back(1000 + i);
    const auto text = rules::to_json_text(a);
    CHECK(text == boost::json::serialize(rules::to_json(a)));
    const auto back = rules::alert_from_json(boost::json::parse(text));
    REQUIRE(back);
    CHECK(back->title == a.title);
    CHECK(back->message == a.message);
    CHECK(back->note == a.note);
    CHECK(back->evidence == a.evidence);
    // And with nothing optional: nulls, empty arrays.
    a.audiences.clear();
    a.evidence.clear();
    a.fired_at.reset();
    a.acknowledged_by.clear();
    a.note.clear();
    a.resolution.clear();
    a.inhibited_by.reset();
    a.id = -7;
    a.level = 0;
    CHECK(rules::to_json_text(a) == boost::json::serialize(rules::to_json(a)));
}
