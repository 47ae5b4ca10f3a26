#pragma once
// Shared by the rules_*_test.cpp files: a small LLR-shaped set of practices,
// the shipped rules (or a fixture), a Europe/London engine with the 2026
// bank holidays, and a manual notion of now. No sleeps: time is an argument.

#include "core/time.hpp"
#include "rules/engine.hpp"
#include "rules/rules_loader.hpp"
#include "support/paths.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

namespace opel::test {

using namespace std::chrono_literals;
using changes = std::vector<rules::alert_change>;

/// An RFC 3339 text as a time point (the test fails if it is not one).
inline core::time_point at(const std::string& text) {
    const auto t = core::parse_time(text);
    REQUIRE(t);
    return *t;
}

/// Loads a rules file from the source tree, failing the test on any error.
inline std::shared_ptr<const rules::rule_set> load_rules(const std::string& relative) {
    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(std::filesystem::path(OPEL_SOURCE_DIR) / relative, errors);
    for (const auto& e : errors)
        UNSCOPED_INFO(e.to_string());
    REQUIRE(set);
    return set;
}

/// County: North PCN (C82001-3), South PCN (C82004-5); city: City PCN A
/// (C82010-12), City PCN B (C82013-14); rutland: Rutland PCN (C82020).
inline std::vector<core::practice> default_practices() {
    std::vector<core::practice> out;
    const auto add = [&](const char* code, const char* pcn, const char* place) {
        out.push_back({code, std::string("Surgery ") + code, pcn, place});
    };
    for (auto c : {"C82001", "C82002", "C82003"})
        add(c, "North PCN", "county");
    for (auto c : {"C82004", "C82005"})
        add(c, "South PCN", "county");
    for (auto c : {"C82010", "C82011", "C82012"})
        add(c, "City PCN A", "city");
    for (auto c : {"C82013", "C82014"})
        add(c, "City PCN B", "city");
    add("C82020", "Rutland PCN", "rutland");
    return out;
}

/// Monday to Friday, less Christmas Day and the 28 December 2026 substitute.
inline core::calendar default_calendar() {
    core::calendar c;
    c.holidays = {date::year{2026} / 12 / 25, date::year{2026} / 12 / 28};
    return c;
}

/// An engine with its submission ids and a current time.
struct harness {
    std::shared_ptr<const rules::rule_set> rules;
    std::vector<core::practice> practices;
    core::calendar calendar;
    rules::engine engine;
    std::int64_t next_submission = 1;
    core::time_point now;

    explicit harness(const std::string& rules_file = "rules/llr.yaml",
                     std::vector<core::practice> ps = default_practices(),
                     core::time_point start = at("2026-11-30T09:00:00Z")) // a Monday
        : rules(load_rules(rules_file)), practices(ps), calendar(default_calendar()),
          engine(rules, ps, calendar, date::locate_zone("Europe/London")), now(start) {}

    /// A submission as the store would hand it over.
    core::submission make(const std::string& code, int level,
                          std::vector<std::string> themes = {}, std::string note = {}) {
        core::submission s;
        s.id = next_submission++;
        s.practice = code;
        s.level = level;
        s.themes = std::move(themes);
        if (!note.empty())
            s.note = note;
        s.received_at = s.reported_at = now;
        return s;
    }
    /// A live report at `now`.
    changes submit(const std::string& code, int level, std::vector<std::string> themes = {},
                   std::string note = {}) {
        return engine.on_submission(make(code, level, std::move(themes), std::move(note)), now);
    }
    /// History (an import): raises nothing.
    void restore(const std::string& code, int level, core::time_point when,
                 std::vector<std::string> themes = {}) {
        auto s = make(code, level, std::move(themes));
        s.received_at = s.reported_at = when;
        engine.restore_submission(s);
    }
    /// Moves now forward and runs the timers.
    changes advance(std::chrono::microseconds d) {
        now += d;
        return engine.on_time(now);
    }
    /// Sets now and runs the timers.
    changes advance_to(core::time_point t) {
        now = t;
        return engine.on_time(now);
    }
    /// Acknowledges, failing the test on an error.
    changes ack(std::int64_t id, const std::string& who = "team", const std::string& note = "") {
        auto r = engine.acknowledge(id, who, note, now);
        REQUIRE(std::holds_alternative<changes>(r));
        return std::get<changes>(r);
    }
    /// The open alert of `rule` on `subject`, or null.
    const rules::alert* open(const std::string& rule, const std::string& subject) const {
        for (const auto& a : engine.open_alerts())
            if (a.rule == rule && a.subject == subject)
                return engine.find(a.id);
        return nullptr;
    }
};

/// The changes of `rule` in `cs`.
inline changes of(const changes& cs, const std::string& rule) {
    changes out;
    std::copy_if(cs.begin(), cs.end(), std::back_inserter(out),
                 [&](const auto& c) { return c.after.rule == rule; });
    return out;
}

/// How many changes of `rule` notify as firing (a new or re-fired alert).
inline int fired(const changes& cs, const std::string& rule) {
    return static_cast<int>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
        return c.after.rule == rule && c.notify && c.after.state == rules::alert_state::firing;
    }));
}

/// How many changes of `rule` raise or re-fire an alert, told or not
/// (an inhibited or silenced one is raised, and recorded, but not told).
inline int raised(const changes& cs, const std::string& rule) {
    return static_cast<int>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
        return c.after.rule == rule && c.after.state == rules::alert_state::firing &&
               c.after.fired_at == c.after.updated_at;
    }));
}

/// How many changes of `rule` resolve an alert.
inline int resolved(const changes& cs, const std::string& rule) {
    return static_cast<int>(std::count_if(cs.begin(), cs.end(), [&](const auto& c) {
        return c.after.rule == rule && c.after.state == rules::alert_state::resolved;
    }));
}

} // namespace opel::test
