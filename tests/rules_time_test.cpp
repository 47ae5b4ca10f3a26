// Time in the rules: consecutive working days across weekends and bank
// holidays in Europe/London, not-reporting checks, the unacknowledged-level-4
// timer (and a restart in the middle of it), and silences.
#include "rules_fixture.hpp"

#include <optional>
#include <set>

using namespace opel;
using namespace opel::test;
using rules::alert_state;

namespace {

/// Reports `level` for C82001 at 10:00 UTC on each of `days`.
changes report_on(harness& h, std::initializer_list<const char*> days, int level = 3) {
    changes last;
    for (const auto* d : days) {
        h.now = at(std::string(d) + "T10:00:00Z");
        last = h.submit("C82001", level);
    }
    return last;
}

} // namespace

TEST_CASE("sustained pressure fires on the third consecutive working day at 3 or 4", "[rules]") {
    harness h;
    CHECK(fired(report_on(h, {"2026-11-30", "2026-12-01"}), "practice-sustained-pressure") == 0);
    const auto cs = report_on(h, {"2026-12-02"}, 4);
    // Raised; told through the practice-level-4 alert, which speaks for it.
    REQUIRE(raised(cs, "practice-sustained-pressure") == 1);
    const auto a = of(cs, "practice-sustained-pressure")[0].after;
    CHECK(a.level == 4);
    CHECK(a.evidence == std::vector<std::int64_t>{1, 2, 3});
    CHECK(a.audiences == std::vector<std::string>{"primary_care_team", "control_room"});
    CHECK(a.title == "Surgery C82001 (C82001) at OPEL 3 or 4 for 3 working days");
}

TEST_CASE("sustained pressure runs across a weekend", "[rules]") {
    harness h;
    // Thursday, Friday, Monday.
    const auto cs = report_on(h, {"2026-12-03", "2026-12-04", "2026-12-07"});
    CHECK(fired(cs, "practice-sustained-pressure") == 1);
}

TEST_CASE("sustained pressure runs across bank holidays", "[rules]") {
    harness h;
    // Wed 23, Thu 24 December; Fri 25 and Mon 28 are bank holidays; Tue 29.
    const auto cs = report_on(h, {"2026-12-23", "2026-12-24", "2026-12-29"});
    CHECK(fired(cs, "practice-sustained-pressure") == 1);
}

TEST_CASE("a bank holiday is not a working day that can be skipped silently", "[rules]") {
    harness h;
    // Thu 24, Tue 29, Wed 30: 24 -> 29 is consecutive; Wed 23 missing is fine.
    CHECK(fired(report_on(h, {"2026-12-24", "2026-12-29", "2026-12-30"}),
                "practice-sustained-pressure") == 1);
    harness g;
    // Tue 22, Thu 24, Tue 29: Wed 23 was a working day with no report.
    CHECK(fired(report_on(g, {"2026-12-22", "2026-12-24", "2026-12-29"}),
                "practice-sustained-pressure") == 0);
}

TEST_CASE("a working day with no report breaks the run", "[rules]") {
    harness h;
    // Monday, (no Tuesday), Wednesday, Thursday: only two in a row.
    CHECK(fired(report_on(h, {"2026-11-30", "2026-12-02", "2026-12-03"}),
                "practice-sustained-pressure") == 0);
    CHECK(fired(report_on(h, {"2026-12-04"}), "practice-sustained-pressure") == 1);
}

TEST_CASE("a report below 3 on a day breaks the run, even with a 3 the same day", "[rules]") {
    harness h;
    report_on(h, {"2026-11-30", "2026-12-01"});
    h.now = at("2026-12-01T15:00:00Z");
    h.submit("C82001", 2);
    CHECK(fired(report_on(h, {"2026-12-02"}), "practice-sustained-pressure") == 0);
}

TEST_CASE("weekend reports neither extend a run nor fire it", "[rules]") {
    harness h;
    CHECK(fired(report_on(h, {"2026-12-04", "2026-12-05", "2026-12-06"}),
                "practice-sustained-pressure") == 0);
}

TEST_CASE("working days are local days in the configured zone", "[rules]") {
    harness h("rules/llr.yaml", default_practices(), at("2026-06-01T09:00:00Z"));
    // Mon 1 and Tue 2 June; 23:30 UTC on Tue is 00:30 BST on Wednesday.
    h.now = at("2026-06-01T10:00:00Z");
    h.submit("C82001", 3);
    h.now = at("2026-06-02T10:00:00Z");
    h.submit("C82001", 3);
    h.now = at("2026-06-02T23:30:00Z");
    CHECK(fired(h.submit("C82001", 3), "practice-sustained-pressure") == 1);
}

TEST_CASE("sustained pressure sees imported history", "[rules]") {
    harness h;
    h.restore("C82001", 3, at("2026-11-30T10:00:00Z"));
    h.restore("C82001", 4, at("2026-12-01T10:00:00Z"));
    CHECK(h.engine.open_alerts().empty());
    h.now = at("2026-12-02T10:00:00Z");
    CHECK(fired(h.submit("C82001", 3), "practice-sustained-pressure") == 1);
}

TEST_CASE("sustained pressure sees history restored newest day first", "[rules]") {
    // A practice's days are kept in order whatever order its reports come in.
    harness h;
    h.restore("C82001", 4, at("2026-12-01T10:00:00Z"));
    h.restore("C82001", 3, at("2026-11-30T15:00:00Z"));
    h.restore("C82001", 3, at("2026-11-30T10:00:00Z"));
    h.now = at("2026-12-02T10:00:00Z");
    const auto cs = h.submit("C82001", 3);
    REQUIRE(fired(cs, "practice-sustained-pressure") == 1);
    CHECK(of(cs, "practice-sustained-pressure")[0].after.evidence.size() == 4);
}

TEST_CASE("practice-not-reporting fires at 7 days, not at 6 days 23 hours", "[rules]") {
    harness h;
    for (const auto& p : h.practices)
        h.submit(p.code, 1);
    h.now += 6 * 24h + 23h;
    CHECK(fired(h.engine.check_not_reporting(h.now), "practice-not-reporting") == 0);
    h.submit("C82001", 2); // C82001 keeps reporting
    h.now += 1h;
    const auto cs = h.engine.check_not_reporting(h.now);
    CHECK(fired(cs, "practice-not-reporting") == static_cast<int>(h.practices.size()) - 1);
    const auto a = of(cs, "practice-not-reporting")[0].after;
    CHECK(a.level == 2);
    CHECK(a.subject == "C82002");
    CHECK(a.title == "Surgery C82002 (C82002) has not reported for 7 days");
    CHECK(a.message.find("last reported 2026-11-30 09:00") != std::string::npos);
}

TEST_CASE("practice-not-reporting counts practices that never reported, once", "[rules]") {
    harness h;
    auto cs = h.engine.check_not_reporting(h.now);
    CHECK(fired(cs, "practice-not-reporting") == static_cast<int>(h.practices.size()));
    h.now += 24h;
    CHECK(h.engine.check_not_reporting(h.now).empty()); // still open: no repeat
    cs = h.submit("C82001", 1);
    REQUIRE(resolved(cs, "practice-not-reporting") == 1);
    CHECK(of(cs, "practice-not-reporting")[0].after.resolution == "C82001 reported again");
}

TEST_CASE("unacknowledged-level-4 fires 30 minutes after a level-4 alert fired", "[rules]") {
    harness h;
    h.submit("C82001", 4);
    CHECK(h.engine.next_deadline() == h.now + 30min);
    CHECK(h.advance(29min + 59s).empty());
    const auto cs = h.advance(1s);
    REQUIRE(fired(cs, "unacknowledged-level-4") == 1);
    const auto a = of(cs, "unacknowledged-level-4")[0].after;
    CHECK(a.level == 4);
    CHECK(a.scope == "practice");
    CHECK(a.subject == "C82001");
    CHECK(a.audiences == std::vector<std::string>{"control_room"});
    CHECK(a.title.rfind("Unacknowledged for 30 minutes: Surgery C82001", 0) == 0);
    CHECK(a.evidence == std::vector<std::int64_t>{1});
}

TEST_CASE("acknowledging within 30 minutes stops the unacknowledged timer", "[rules]") {
    harness h;
    h.submit("C82001", 4);
    h.now += 10min;
    h.ack(1);
    CHECK(h.advance(1h).empty());
}

TEST_CASE("acknowledging after the timer fired resolves the unacknowledged alert", "[rules]") {
    harness h;
    h.submit("C82001", 4);
    h.advance(31min);
    REQUIRE(h.open("unacknowledged-level-4", "C82001"));
    const auto cs = h.ack(1, "duty manager");
    REQUIRE(cs.size() == 2);
    CHECK(cs[0].after.rule == "practice-level-4");
    CHECK(cs[1].after.rule == "unacknowledged-level-4");
    CHECK(cs[1].after.state == alert_state::resolved);
    CHECK(cs[1].after.resolution == "alert 1 acknowledged by duty manager");
}

namespace {

/// A new engine built the way the daemon starts: history, then open alerts.
rules::engine restart(harness& h, const std::vector<core::submission>& history,
                      const changes& persisted) {
    rules::engine e(h.rules, h.practices, h.calendar, date::locate_zone("Europe/London"));
    for (const auto& s : history)
        e.restore_submission(s);
    std::map<std::int64_t, rules::alert> latest;
    for (const auto& c : persisted)
        latest[c.after.id] = c.after;
    for (const auto& [id, a] : latest)
        e.restore_alert(a);
    return e;
}

} // namespace

TEST_CASE("a restart in the middle of the unacknowledged timer keeps it", "[rules]") {
    harness h;
    const auto s = h.make("C82001", 4);
    const auto fired_at = h.now;
    const auto persisted = h.engine.on_submission(s, h.now);
    auto e = restart(h, {s}, persisted);
    CHECK(e.resume(fired_at + 10min).empty());
    CHECK(e.next_deadline() == fired_at + 30min);
    CHECK(e.on_time(fired_at + 29min).empty());
    const auto cs = e.on_time(fired_at + 30min);
    CHECK(fired(cs, "unacknowledged-level-4") == 1);
    CHECK(of(cs, "unacknowledged-level-4")[0].after.id == 2);
}

TEST_CASE("a timer that fell due while stopped fires on resume", "[rules]") {
    harness h;
    const auto s = h.make("C82001", 4);
    const auto persisted = h.engine.on_submission(s, h.now);
    auto e = restart(h, {s}, persisted);
    const auto cs = e.resume(h.now + 45min);
    CHECK(fired(cs, "unacknowledged-level-4") == 1);
}

TEST_CASE("a restart keeps group state from history and alert ids", "[rules]") {
    harness h;
    std::vector<core::submission> history{h.make("C82001", 3), h.make("C82002", 3)};
    changes persisted;
    for (const auto& s : history)
        for (auto& c : h.engine.on_submission(s, h.now))
            persisted.push_back(c);
    auto e = restart(h, history, persisted);
    CHECK(e.resume(h.now + 1h).empty());
    CHECK(e.open_alerts().size() == h.engine.open_alerts().size());
    auto s = h.make("C82001", 1);
    const auto cs = e.on_submission(s, h.now + 2h);
    CHECK(resolved(cs, "pcn-cluster") == 1);
    CHECK(resolved(cs, "practice-level-3") == 1);
    CHECK(e.next_alert_id() == h.engine.next_alert_id());
}

TEST_CASE("a silenced alert is recorded but not pushed, and pushed when the silence ends",
          "[rules]") {
    harness h;
    rules::silence s;
    s.rule = "practice-level-3";
    s.starts_at = h.now;
    s.ends_at = h.now + 2h;
    s.created_by = "admin";
    s.comment = "planned closure";
    const auto [added, none] = h.engine.add_silence(s, h.now);
    CHECK(added.id == 1);
    CHECK(none.empty());
    const auto cs = h.submit("C82001", 3);
    REQUIRE(cs.size() == 1);
    CHECK_FALSE(cs[0].notify);
    CHECK(cs[0].after.silenced);
    CHECK(h.engine.find(cs[0].after.id));
    CHECK(h.engine.next_deadline() == h.now + 2h);
    const auto end = h.advance(2h);
    REQUIRE(end.size() == 1);
    CHECK(end[0].notify);
    CHECK_FALSE(end[0].after.silenced);
    CHECK(end[0].after.state == alert_state::firing);
    CHECK(h.engine.silences().empty());
}

TEST_CASE("a silence matches on rule, scope and subject", "[rules]") {
    harness h;
    rules::silence s;
    s.scope = "practice";
    s.subject = "C82002";
    s.starts_at = h.now;
    s.ends_at = h.now + 1h;
    h.engine.add_silence(s, h.now);
    CHECK(h.submit("C82001", 3)[0].notify);
    const auto quiet = h.submit("C82002", 3);
    CHECK_FALSE(of(quiet, "practice-level-3")[0].notify);
    CHECK(of(quiet, "pcn-cluster")[0].notify); // a PCN alert is not the practice's
}

TEST_CASE("a silence ending after the alert resolved, or was acknowledged, pushes nothing",
          "[rules]") {
    harness h;
    rules::silence s;
    s.starts_at = h.now;
    s.ends_at = h.now + 1h;
    h.engine.add_silence(s, h.now);
    h.submit("C82001", 3);
    h.submit("C82002", 3);
    h.ack(1);
    h.submit("C82002", 1);
    const auto end = h.advance(1h);
    for (const auto& c : end)
        CHECK_FALSE(c.notify);
}

TEST_CASE("a silence starting later quiets only what changes after its start", "[rules]") {
    harness h;
    rules::silence s;
    s.subject = "C82001";
    s.starts_at = h.now + 1h;
    s.ends_at = h.now + 3h;
    h.engine.add_silence(s, h.now);
    CHECK(h.submit("C82001", 3)[0].notify);
    const auto start = h.advance(1h);
    REQUIRE(start.size() == 1);
    CHECK(start[0].after.silenced);
    CHECK_FALSE(start[0].notify);
    CHECK_FALSE(h.submit("C82001", 4)[0].notify);
    const auto early = h.engine.expire_silence(1, h.now + 10min);
    CHECK(fired(early, "practice-level-4") == 1);
}

TEST_CASE("silences survive a restart", "[rules]") {
    harness h;
    rules::silence s;
    s.id = 7;
    s.starts_at = h.now - 1h;
    s.ends_at = h.now + 1h;
    h.engine.restore_silence(s);
    h.engine.resume(h.now);
    CHECK_FALSE(h.submit("C82001", 3)[0].notify);
    CHECK(h.engine.add_silence(rules::silence{}, h.now).first.id == 8);
}

TEST_CASE("a practice reporting all day holds a bounded list of ids per day, same evidence",
          "[rules]") {
    harness h;
    constexpr int per_day = 1000;
    const auto max = static_cast<std::int64_t>(rules::engine::max_evidence);
    changes last;
    for (const auto* day : {"2026-11-30", "2026-12-01", "2026-12-02"}) {
        h.now = at(std::string(day) + "T08:00:00Z");
        for (int i = 0; i < per_day; ++i) {
            last = h.submit("C82001", 3);
            h.now += 10s;
        }
    }
    // Each day keeps fewer than 2 * max_evidence of its 1,000 ids.
    CHECK(h.engine.report_ids_held() < 3 * 2 * rules::engine::max_evidence);
    // And the sustained alert's evidence is still the latest max_evidence ids.
    const auto* a = h.open("practice-sustained-pressure", "C82001");
    REQUIRE(a);
    std::vector<std::int64_t> latest;
    for (std::int64_t id = 3 * per_day - max + 1; id <= 3 * per_day; ++id)
        latest.push_back(id);
    CHECK(a->evidence == latest);
}

TEST_CASE("the deadline queue orders as a set of (deadline, practice) does", "[rules]") {
    // Differential: random sets, moves and removals on 50 items, checked
    // against std::set after every step, ties included (deadlines collide).
    rules::deadline_queue q;
    std::set<std::pair<core::time_point, std::size_t>> ref;
    std::vector<std::optional<core::time_point>> held(50);
    q.reset(held.size());
    std::uint64_t seed = 12345;
    const auto next = [&](std::uint64_t n) {
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        return (seed >> 33) % n;
    };
    for (int step = 0; step < 20000; ++step) {
        const auto item = next(held.size());
        const auto op = next(4);
        if (op < 2) {
            const core::time_point t{std::chrono::seconds(next(100))};
            if (held[item])
                ref.erase({*held[item], item});
            held[item] = t;
            ref.insert({t, item});
            q.set(item, t);
        } else if (op == 2) {
            if (held[item])
                ref.erase({*held[item], item});
            held[item].reset();
            q.erase(item);
        } else if (!ref.empty()) {
            held[ref.begin()->second].reset();
            ref.erase(ref.begin());
            q.pop();
        }
        REQUIRE(q.size() == ref.size());
        REQUIRE(q.contains(item) == held[item].has_value());
        if (!ref.empty()) {
            REQUIRE(q.top().first == ref.begin()->first);
            REQUIRE(q.top().second == ref.begin()->second);
        }
    }
}
