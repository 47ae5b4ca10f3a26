// The engine's timers, all derived from its state rather than kept apart from
// it: a report going stale, a theme report leaving its window, an alert still
// firing past its unacknowledged deadline, a silence starting or ending. After
// a restart the restored reports, alerts and silences put every timer back, so
// none is lost; deadlines that passed while stopped fall due at once.
#include "rules/engine.hpp"

namespace opel::rules {

std::optional<core::time_point> engine::next_deadline() const {
    std::optional<core::time_point> best;
    const auto consider = [&](core::time_point t) {
        if (!best || t < *best)
            best = t;
    };
    if (!stale_q_.empty())
        consider(stale_q_.top().first);
    if (!theme_q_.empty())
        consider(std::get<0>(*theme_q_.begin()));
    if (!unack_q_.empty())
        consider(std::get<0>(*unack_q_.begin()));
    if (!silence_q_.empty())
        consider(silence_q_.begin()->first);
    if (!support_q_.empty())
        consider(support_q_.begin()->first);
    return best;
}

void engine::run_due(core::time_point now, changes& out) {
    while (run_one(now, out)) {
    }
}

bool engine::run_one(core::time_point now, changes& out) {
    // The earliest due entry of any queue goes first, so the order of
    // changes follows the order of the moments that caused them.
    const auto next = next_deadline();
    if (!next || *next > now)
        return false;
    if (!stale_q_.empty() && stale_q_.top().first == *next) {
        const auto p = stale_q_.top().second;
        stale_q_.pop();
        expire_stale(p, now, out);
    } else if (!theme_q_.empty() && std::get<0>(*theme_q_.begin()) == *next) {
        const auto [t, ts, theme, p] = *theme_q_.begin();
        theme_q_.erase(theme_q_.begin());
        expire_theme(ts, theme, p, now, out);
    } else if (!unack_q_.empty() && std::get<0>(*unack_q_.begin()) == *next) {
        const auto [t, ri, watched] = *unack_q_.begin();
        unack_q_.erase(unack_q_.begin());
        fire_unacknowledged(ri, watched, now, out);
    } else if (!support_q_.empty() && support_q_.begin()->first == *next) {
        const auto p = support_q_.begin()->second;
        support_q_.erase(support_q_.begin());
        fire_unsupported(p, now, out);
    } else {
        const auto [t, id] = *silence_q_.begin();
        silence_q_.erase(silence_q_.begin());
        if (const auto it = silences_.find(id); it != silences_.end() && it->second.ends_at <= now)
            silences_.erase(it);
        apply_silences(now, out);
    }
    return true;
}

void engine::expire_stale(std::size_t p, core::time_point now, changes& out) {
    auto& st = practices_[p];
    if (!st.counted)
        return;
    uncount(p); // its queue entry is already gone: run_one took it
    for (std::size_t gs = 0; gs < group_states_.size(); ++gs)
        if (counts_in(group_states_[gs], p))
            evaluate_group(gs, group_of(group_states_[gs], p), std::nullopt, 0, now, out);
}

void engine::expire_theme(std::size_t ts, std::size_t theme, std::size_t p, core::time_point now,
                          changes& out) {
    const auto within = std::get<theme_condition>(rules_->rules[theme_states_[ts].rule].when).within;
    auto& entries = theme_states_[ts].themes[theme];
    const auto it = entries.find(p);
    if (it == entries.end() || it->second.first + within > now)
        return;
    entries.erase(it);
    evaluate_theme(ts, theme, std::nullopt, now, out);
}

void engine::fire_unacknowledged(std::size_t ri, std::int64_t watched, core::time_point now,
                                 changes& out) {
    const auto& r = rules_->rules[ri];
    const auto& c = std::get<unacknowledged_condition>(r.when);
    const auto it = open_.find(watched);
    if (it == open_.end())
        return;
    const alert& w = it->second;
    if (w.state != alert_state::firing || !w.fired_at || *w.fired_at + c.after > now)
        return;
    const auto minutes = std::to_string(c.after.count() / 60);
    finding f(&r, w.scope, w.subject, *r.level, w.evidence);
    f.values = {{"watched.rule", w.rule},
                {"watched.id", std::to_string(w.id)},
                {"watched.title", w.title},
                {"watched.level", std::to_string(w.level)},
                {"minutes", minutes}};
    const auto why = [&] {
        return "alert " + std::to_string(w.id) + " (" + w.rule + ") still firing " + minutes +
               " minutes after it fired";
    };
    f.why = why;
    raise(std::move(f), now, out);
}

} // namespace opel::rules
