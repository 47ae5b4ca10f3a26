// The conditions: what each kind of rule makes of a live report, a group's
// counters, a theme window or a practice's silence. Each evaluation ends in
// raise (fire, repeat or worsen) or resolve; the lifecycle is engine.cpp's.
#include "rules/engine.hpp"

#include "core/note_text.hpp"
#include "core/time.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace opel::rules {

namespace {

/// A share as people write it: "20%", "19.9%".
std::string percent(int n, int of) {
    if (of == 0)
        return "0%";
    // In tenths of a per cent, rounded half away from zero as std::round does.
    const auto tenths = static_cast<long>(std::round(1000.0 * n / of));
    auto text = std::to_string(tenths / 10);
    if (tenths % 10 != 0) {
        text += '.';
        text += static_cast<char>('0' + tenths % 10);
    }
    text += '%';
    return text;
}

/// A duration as the rules file spells it: 24h, 90m, 7d.
std::string duration_text(std::chrono::seconds d) {
    const auto n = d.count();
    if (n % 86400 == 0 && n > 2 * 86400)
        return std::to_string(n / 86400) + "d";
    if (n % 3600 == 0)
        return std::to_string(n / 3600) + "h";
    if (n % 60 == 0)
        return std::to_string(n / 60) + "m";
    return std::to_string(n) + "s";
}

} // namespace

std::string engine::change_text(int level, std::optional<int> previous_level) {
    if (!previous_level)
        return "in its first report";
    const auto was = std::to_string(*previous_level);
    if (level > *previous_level)
        return "up from OPEL " + was;
    if (level < *previous_level)
        return "down from OPEL " + was;
    return "as in its last report";
}

void engine::evaluate_report(std::size_t p, const core::submission& s,
                             const std::optional<report>& prev, core::time_point now,
                             changes& out) {
    // Inhibiting rules first, so an alert that speaks for another is open
    // before the other is raised and the other is never told on its own.
    for (const auto ri : order_)
        evaluate_rule(ri, p, s, prev, now, out);
}

void engine::evaluate_rule(std::size_t ri, std::size_t p, const core::submission& s,
                           const std::optional<report>& prev, core::time_point now,
                           changes& out) {
    const auto& r = rules_->rules[ri];
    const auto& st = practices_[p];
    if (!r.admits(st.info->pcn, st.info->place))
        return;
    if (r.resolves_on_report()) {
        const bool matched = evaluate_practice_rule(r, p, s, prev, now, out);
        if (!matched && s.level <= r.resolve_at_most)
            if (const alert* a = open_alert(r.name, st.info->code))
                resolve(a->id, st.info->code + " reported level " + std::to_string(s.level), now,
                        out);
    } else if (std::holds_alternative<not_reporting_condition>(r.when)) {
        if (const alert* a = open_alert(r.name, st.info->code))
            resolve(a->id, st.info->code + " reported again", now, out);
    } else if (std::holds_alternative<group_condition>(r.when)) {
        for (std::size_t gs = 0; gs < group_states_.size(); ++gs)
            if (group_states_[gs].rule == ri && counts_in(group_states_[gs], p))
                evaluate_group(gs, group_of(group_states_[gs], p), p, s.id, now, out);
    } else if (std::holds_alternative<theme_condition>(r.when)) {
        for (std::size_t ts = 0; ts < theme_states_.size(); ++ts)
            if (theme_states_[ts].rule == ri)
                for (const auto& theme : s.themes)
                    if (const auto idx = theme_index(theme);
                        idx && theme_states_[ts].themes[*idx].count(p))
                        evaluate_theme(ts, *idx, s.id, now, out);
    }
}

bool engine::evaluate_practice_rule(const rule& r, std::size_t p, const core::submission& s,
                                    const std::optional<report>& prev, core::time_point now,
                                    changes& out) {
    const auto& st = practices_[p];
    const report& rep = *st.latest;
    if (const auto* c = std::get_if<practice_level_condition>(&r.when)) {
        if (s.level < c->at_least || s.level > c->at_most)
            return false;
        auto f = practice_finding(r, p, &rep, r.level.value_or(s.level), prev);
        f.evidence = {s.id};
        const auto why = [&] {
            return st.info->code + " reported level " + std::to_string(s.level);
        };
        f.why = why;
        raise(std::move(f), now, out);
        return true;
    }
    if (const auto* c = std::get_if<rise_condition>(&r.when)) {
        if (!prev || s.level - prev->level < c->by)
            return false;
        auto f = practice_finding(r, p, &rep, r.level.value_or(s.level), prev);
        f.evidence = {s.id};
        const auto why = [&] {
            return st.info->code + " rose from level " + std::to_string(prev->level) + " to " +
                   std::to_string(s.level);
        };
        f.why = why;
        raise(std::move(f), now, out);
        return true;
    }
    if (std::holds_alternative<support_condition>(r.when))
        return evaluate_unsupported(r, p, now, out);
    return evaluate_sustained(r, p, s, prev, now, out);
}

bool engine::evaluate_sustained(const rule& r, std::size_t p, const core::submission& s,
                                const std::optional<report>& prev, core::time_point now,
                                changes& out) {
    const auto& c = std::get<sustained_condition>(r.when);
    const auto& st = practices_[p];
    // A run is judged on working days only; a report on a weekend or a bank
    // holiday neither extends nor breaks it.
    auto day = local_day(s.reported_at);
    if (!calendar_.is_working_day(day))
        return false;
    ids evidence;
    for (int i = 0; i < c.working_days; ++i) {
        const auto* rec = find_day(st, day);
        // A working day with no report breaks the run: pressure is not assumed.
        if (!rec || rec->min_level < c.at_least)
            return false;
        evidence.insert(evidence.end(), rec->reports.begin(), rec->reports.end());
        day = calendar_.previous_working_day(day);
    }
    auto f = practice_finding(r, p, &*st.latest, r.level.value_or(s.level), prev);
    f.evidence = std::move(evidence);
    f.set("days", std::to_string(c.working_days));
    const auto why = [&] {
        return st.info->code + " reported level " + std::to_string(c.at_least) + " or above on " +
               std::to_string(c.working_days) + " consecutive working days";
    };
    f.why = why;
    raise(std::move(f), now, out);
    return true;
}

void engine::evaluate_group(std::size_t gsi, std::size_t g, std::optional<std::size_t> trigger,
                            std::int64_t trigger_id, core::time_point now, changes& out) {
    const auto& gs = group_states_[gsi];
    const auto& r = rules_->rules[gs.rule];
    const auto& c = std::get<group_condition>(r.when);
    const auto& counter = gs.groups[g];
    const int n = static_cast<int>(counter.at_least.size());
    // The share is compared with a tolerance: 0.2 * 5 is not exactly 1 in binary.
    const bool holds = n >= 1 && n >= c.min_count && counter.reporting >= c.min_reporting &&
                       n + 1e-9 >= c.min_share * counter.reporting;
    const auto subject = group_subject(c.scope, g);
    const alert* open = open_alert(r.name, subject);
    const auto standing = [&] {
        return std::to_string(n) + " of " + std::to_string(counter.reporting) +
               " reporting practices of " + subject + " stand at level " +
               std::to_string(c.at_least) + " or above";
    };
    if (!holds) {
        if (open)
            resolve(open->id, "no longer holds: " + standing(), now, out);
        return;
    }
    finding f(&r, scope_name(c.scope), subject, *r.level);
    if (!open) {
        for (const auto q : counter.at_least)
            f.evidence.push_back(practices_[q].latest->id);
    } else if (trigger && gs.stands(*trigger)) {
        f.evidence = {trigger_id};
    }
    // An open alert is re-rendered whenever its group's counts may have
    // moved (a practice joining, leaving, changing level or going stale):
    // raise() publishes it when the text changed.
    f.values.reserve(4);
    f.values.emplace_back("group", subject);
    f.values.emplace_back("count", std::to_string(n));
    f.values.emplace_back("reporting", std::to_string(counter.reporting));
    f.values.emplace_back("share", percent(n, counter.reporting));
    f.why = standing;
    raise(std::move(f), now, out);
}

void engine::evaluate_theme(std::size_t tsi, std::size_t theme,
                            std::optional<std::int64_t> trigger, core::time_point now,
                            changes& out) {
    const auto& ts = theme_states_[tsi];
    const auto& r = rules_->rules[ts.rule];
    const auto& c = std::get<theme_condition>(r.when);
    const auto& entries = ts.themes[theme];
    const auto& subject = rules_->themes[theme];
    const alert* open = open_alert(r.name, subject);
    const int n = static_cast<int>(entries.size());
    if (n < c.practices) {
        if (open)
            resolve(open->id,
                    "no longer holds: " + std::to_string(n) + " practices reported " + subject +
                        " within " + duration_text(c.within),
                    now, out);
        return;
    }
    finding f(&r, "system", subject, *r.level);
    // Names are capped so a window of hundreds costs no more than ten.
    std::string names;
    names.reserve(320);
    int named = 0;
    for (const auto& [p, entry] : entries) {
        if (named < 10) {
            if (named++ > 0)
                names += ", ";
            names += practices_[p].info->name;
        }
        if (!open)
            f.evidence.push_back(entry.second);
        else if (named == 10)
            break;
    }
    if (n > 10)
        names += ", and " + std::to_string(n - 10) + " more";
    if (open && trigger)
        f.evidence = {*trigger};
    // Moved in, not listed: an initializer list would copy each string.
    f.values.reserve(3);
    f.values.emplace_back("theme", rules_->theme_name(subject));
    f.values.emplace_back("count", std::to_string(n));
    f.values.emplace_back("practices", names.empty() ? "none" : std::move(names));
    const auto why = [&] {
        return std::to_string(n) + " practices reported " + subject + " within " +
               duration_text(c.within);
    };
    f.why = why;
    raise(std::move(f), now, out);
}

void engine::check_not_reporting(const rule& r, std::size_t p, core::time_point now,
                                 changes& out) {
    const auto& c = std::get<not_reporting_condition>(r.when);
    const auto& st = practices_[p];
    if (!r.admits(st.info->pcn, st.info->place))
        return;
    if (st.latest ? now - st.latest->at < c.after : !c.never_reported)
        return;
    auto f = practice_finding(r, p, nullptr, *r.level);
    const auto days = st.latest ? (now - st.latest->at) / std::chrono::hours(24)
                                : c.after / std::chrono::hours(24);
    f.set("days", std::to_string(days));
    f.set("last_reported", st.latest ? local_text(st.latest->at) : "never");
    if (st.latest)
        f.evidence = {st.latest->id};
    const auto why = [&] {
        return st.info->code + (st.latest ? " has not reported for " + std::to_string(days) + " days"
                                         : " has never reported");
    };
    f.why = why;
    raise(std::move(f), now, out);
}

engine::finding engine::practice_finding(const rule& r, std::size_t p, const report* rep,
                                         int level, const std::optional<report>& prev) const {
    finding f(&r, "practice", practices_[p].info->code, level);
    f.practice = p;
    f.rep = rep;
    if (prev)
        f.previous_level = prev->level;
    return f;
}

void engine::append_practice_value(std::string& out, std::string_view name,
                                   const finding& f) const {
    const auto& info = *practices_[*f.practice].info;
    if (name == "practice") {
        out += info.name;
        out += " (";
        out += info.code;
        out += ')';
    } else if (name == "practice.code") {
        out += info.code;
    } else if (name == "practice.name") {
        out += info.name;
    } else if (name == "pcn") {
        out += info.pcn;
    } else if (name == "place") {
        out += info.place;
    } else if (!f.rep) {
        return; // a rule that looks at no report (not reporting) has none of the rest
    } else if (name == "reported_level") {
        out += std::to_string(f.rep->level);
    } else if (name == "themes") {
        // What a person reads names each theme as the rules file does.
        if (f.rep->themes.empty())
            out += "none";
        for (std::size_t i = 0; i < f.rep->themes.size(); ++i) {
            if (i > 0)
                out += ", ";
            out += rules_->theme_name(f.rep->themes[i]);
        }
    } else if (name == "note") {
        // Without its final full stops: a template ends the sentence itself
        // ("Note: {note}."), and a note ending in one would read "..".
        const auto note = core::note_as_quoted(f.rep->note);
        out += note.empty() ? std::string_view("none") : note;
    } else if (name == "support_requested") {
        out += f.rep->support.empty() ? std::string_view("none") : std::string_view(f.rep->support);
    } else if (name == "reported_at") {
        out += local_text(f.rep->at);
    } else if (name == "previous_level") {
        out += f.previous_level ? std::to_string(*f.previous_level) : "none";
    } else if (name == "change") {
        out += change_text(f.rep->level, f.previous_level);
    }
}

std::string engine::local_text(core::time_point t) const {
    const auto s = date::floor<std::chrono::minutes>(t);
    if (!zone_)
        return date::format("%F %R UTC", s);
    return date::format("%F %R", zone_->to_local(s));
}

} // namespace opel::rules
