// What reports do to the engine's state, kept incrementally so a submission
// costs work in proportion to what it touches (its practice, PCN, place, the
// system, its themes), never to the number of practices. Per group rule, a
// counter per group; per theme rule, each practice's latest report of each
// theme in the window; per practice, its latest report, its recent days and
// the reports a theme window may still need. Only reload and construction
// walk every practice, to rebuild the per-rule state from the per-practice one.
#include "rules/engine.hpp"

#include <algorithm>
#include <type_traits>

namespace opel::rules {

namespace {

/// How many days of per-day records a practice keeps: enough for a run of 30
/// working days across the longest run of holidays.
constexpr date::days day_history{62};

/// The index of `name` in `names`, appending it when new; `seen` indexes `names`.
std::size_t index_of(std::vector<std::string>& names, std::map<std::string, std::size_t>& seen,
                     const std::string& name) {
    const auto [it, added] = seen.try_emplace(name, names.size());
    if (added)
        names.push_back(name);
    return it->second;
}

} // namespace

void engine::index_practices(directory practices) {
    if (!practices)
        practices = std::make_shared<const std::vector<core::practice>>();
    std::map<std::string, practice_state> old;
    for (auto& p : practices_)
        old.emplace(p.info->code, std::move(p));
    practices_.clear();
    by_code_.clear();
    pcns_.clear();
    places_.clear();
    // Reserved, and nothrow-movable, so that growing never copies every state.
    static_assert(std::is_nothrow_move_constructible_v<practice_state>);
    practices_.reserve(practices->size());
    by_code_.reserve(practices->size());
    std::map<std::string, std::size_t> pcn_seen, place_seen;
    for (const auto& info : *practices) {
        practice_state st;
        if (auto it = old.find(info.code); it != old.end())
            st = std::move(it->second);
        st.pcn = index_of(pcns_, pcn_seen, info.pcn);
        st.place = index_of(places_, place_seen, info.place);
        st.info = &info;
        by_code_.emplace_back(info.code, practices_.size());
        practices_.push_back(std::move(st));
    }
    // A code given twice (the loaders refuse it) is found at its last entry.
    std::stable_sort(by_code_.begin(), by_code_.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    const auto last = std::unique(by_code_.rbegin(), by_code_.rend(),
                                  [](const auto& a, const auto& b) { return a.first == b.first; });
    by_code_.erase(by_code_.begin(), last.base());
    directory_ = std::move(practices);
}

/// The first of `days` (sorted by day) on or after `day`.
template <class Days>
auto first_from(Days& days, date::sys_days day) {
    return std::lower_bound(days.begin(), days.end(), day,
                            [](const auto& d, date::sys_days t) { return d.first < t; });
}

const engine::day_record* engine::find_day(const practice_state& st, date::sys_days day) {
    const auto it = first_from(st.days, day);
    return it == st.days.end() || it->first != day ? nullptr : &it->second;
}

engine::day_record& engine::day_of(practice_state& st, date::sys_days day) {
    if (!st.days.empty() && st.days.back().first == day)
        return st.days.back().second; // the common case: another report today
    const auto it = first_from(st.days, day);
    if (it != st.days.end() && it->first == day)
        return it->second;
    return st.days.insert(it, {day, day_record{}})->second;
}

std::optional<std::size_t> engine::practice_index(std::string_view code) const {
    const auto it = std::lower_bound(
        by_code_.begin(), by_code_.end(), code,
        [](const std::pair<std::string_view, std::size_t>& e, std::string_view c) {
            return e.first < c;
        });
    if (it == by_code_.end() || it->first != code)
        return std::nullopt;
    return it->second;
}

void engine::rebuild() {
    const auto n = rules_->rules.size();
    rule_index_.clear();
    inhibitors_.assign(n, {});
    superseders_.assign(n, {});
    for (std::size_t i = 0; i < n; ++i)
        rule_index_.emplace(rules_->rules[i].name, i);
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& t : rules_->rules[i].inhibits)
            if (const auto j = rule_index_.find(t); j != rule_index_.end() && j->second != i)
                inhibitors_[j->second].push_back(i);
    for (std::size_t i = 0; i < n; ++i)
        for (const auto& t : rules_->rules[i].supersedes)
            if (const auto j = rule_index_.find(t); j != rule_index_.end() && j->second != i)
                superseders_[j->second].push_back(i);
    // The loader refuses a cycle; a rule set made otherwise keeps file order.
    order_.clear();
    if (auto o = rules_->evaluation_order())
        order_ = std::move(*o);
    else
        for (std::size_t i = 0; i < n; ++i)
            order_.push_back(i);
    group_states_.clear();
    theme_states_.clear();
    theme_window_ = std::chrono::seconds{0};
    for (std::size_t i = 0; i < rules_->rules.size(); ++i) {
        const auto& when = rules_->rules[i].when;
        if (const auto* g = std::get_if<group_condition>(&when)) {
            const auto n = g->scope == group_scope::pcn     ? pcns_.size()
                           : g->scope == group_scope::place ? places_.size()
                                                            : 1;
            group_states_.push_back({i, std::vector<group_counter>(n),
                                     std::vector<std::uint32_t>(practices_.size(),
                                                                group_state::absent)});
        } else if (const auto* t = std::get_if<theme_condition>(&when)) {
            theme_states_.push_back({i, decltype(theme_state::themes)(rules_->themes.size())});
            theme_window_ = std::max(theme_window_, t->within);
        }
    }
    stale_q_.reset(practices_.size());
    theme_q_.clear();
    unack_q_.clear();
    for (std::size_t p = 0; p < practices_.size(); ++p) {
        auto& st = practices_[p];
        st.counted.reset();
        if (st.latest && fresh(st.latest->at))
            count(p);
        for (const auto& r : st.recent)
            add_theme_entries(p, r.at, r.id, r.themes);
    }
    for (const auto& [id, a] : open_)
        schedule_watchers(a);
    support_q_.clear();
    for (std::size_t p = 0; p < practices_.size(); ++p)
        schedule_support(p);
}

std::optional<engine::report> engine::apply_report(std::size_t p, const core::submission& s) {
    auto& st = practices_[p];
    report r{s.id, s.level, s.reported_at, s.themes, s.note.value_or(""),
             s.support_requested.value_or("")};
    auto prev = st.latest;
    if (!st.latest || s.reported_at >= st.latest->at) {
        uncount(p);
        if (r.level < 3)
            st.pressed_since.reset();
        else if (!st.latest || st.latest->level < 3 || !st.pressed_since)
            st.pressed_since = r.at;
        st.latest = r;
        if (fresh(r.at))
            count(p);
    }
    const auto day = local_day(s.reported_at);
    auto& rec = day_of(st, day);
    rec.min_level = std::min(rec.min_level, s.level);
    rec.reports.push_back(s.id);
    // An alert's evidence keeps only the latest (highest) max_evidence ids,
    // so a day need hold no more: a practice reporting all day long would
    // otherwise grow this without bound. Trimmed in halves, so the cost is
    // spread over the reports; the order is free (raise() sorts evidence).
    if (rec.reports.size() >= 2 * max_evidence) {
        const auto keep = rec.reports.end() - static_cast<std::ptrdiff_t>(max_evidence);
        std::nth_element(rec.reports.begin(), keep, rec.reports.end());
        rec.reports.erase(rec.reports.begin(), keep);
    }
    const auto oldest = local_day(st.latest->at) - day_history;
    st.days.erase(st.days.begin(), first_from(st.days, oldest));
    // `recent` only feeds theme windows when a reload rebuilds them, so a
    // report without themes, which adds nothing to any window, is not kept.
    const auto keep_from = st.latest->at - theme_window_;
    if (!r.themes.empty())
        st.recent.insert(std::upper_bound(st.recent.begin(), st.recent.end(), r.at,
                                          [](auto t, const themed_report& x) { return t < x.at; }),
                         themed_report{r.id, r.at, r.themes});
    st.recent.erase(st.recent.begin(),
                    std::find_if(st.recent.begin(), st.recent.end(),
                                 [&](const themed_report& x) { return x.at > keep_from; }));
    add_theme_entries(p, r.at, r.id, r.themes);
    return prev;
}

std::size_t engine::report_ids_held() const {
    std::size_t n = 0;
    for (const auto& st : practices_)
        for (const auto& [day, rec] : st.days)
            n += rec.reports.size();
    return n;
}

void engine::uncount(std::size_t p) {
    auto& st = practices_[p];
    if (!st.counted)
        return;
    for (auto& gs : group_states_) {
        if (!counts_in(gs, p))
            continue;
        auto& c = gs.groups[group_of(gs, p)];
        --c.reporting;
        gs.leave(c, p);
    }
    stale_q_.erase(p);
    st.counted.reset();
}

void engine::count(std::size_t p) {
    auto& st = practices_[p];
    st.counted = st.latest->level;
    for (auto& gs : group_states_) {
        if (!counts_in(gs, p))
            continue;
        const auto& r = rules_->rules[gs.rule];
        auto& c = gs.groups[group_of(gs, p)];
        ++c.reporting;
        if (*st.counted >= std::get<group_condition>(r.when).at_least)
            gs.join(c, p);
    }
    stale_q_.set(p, stale_at(st.latest->at));
}

void engine::add_theme_entries(std::size_t p, core::time_point at, std::int64_t id,
                               const std::vector<std::string>& themes) {
    const auto& st = practices_[p];
    for (std::size_t ts = 0; ts < theme_states_.size(); ++ts) {
        const auto& rule = rules_->rules[theme_states_[ts].rule];
        const auto& c = std::get<theme_condition>(rule.when);
        if (!rule.admits(st.info->pcn, st.info->place) || at + c.within <= now_)
            continue;
        for (const auto& theme : themes) {
            const auto idx = theme_index(theme);
            if (idx && (c.themes.empty() ||
                        std::find(c.themes.begin(), c.themes.end(), theme) != c.themes.end()))
                add_theme_entry(ts, *idx, p, at, id);
        }
    }
}

void engine::add_theme_entry(std::size_t ts, std::size_t theme, std::size_t p,
                             core::time_point at, std::int64_t id) {
    const auto within = std::get<theme_condition>(rules_->rules[theme_states_[ts].rule].when).within;
    auto& entries = theme_states_[ts].themes[theme];
    const auto it = entries.find(p);
    if (it != entries.end()) {
        if (it->second.first >= at)
            return;
        theme_q_.erase({it->second.first + within, ts, theme, p});
    }
    entries[p] = {at, id};
    theme_q_.insert({at + within, ts, theme, p});
}

date::sys_days engine::local_day(core::time_point t) const {
    if (!zone_)
        return date::floor<date::days>(t);
    const auto local = zone_->to_local(t);
    return date::sys_days{date::floor<date::days>(local).time_since_epoch()};
}

core::time_point engine::stale_at(core::time_point reported_at) const {
    // A report exactly stale_after old still stands (CONTRACT.md: "older
    // reports are stale"), as in /v1/status and the summary.
    return reported_at + rules_->stale_after + std::chrono::microseconds{1};
}

bool engine::fresh(core::time_point reported_at) const {
    return now_ < stale_at(reported_at);
}

bool engine::counts_in(const group_state& g, std::size_t p) const {
    const auto& r = rules_->rules[g.rule];
    const auto& info = *practices_[p].info;
    if (!r.admits(info.pcn, info.place))
        return false;
    // A practice with no PCN or place (a backtest with no practices file) is
    // counted in the system only: an unnamed group is not a group.
    switch (std::get<group_condition>(r.when).scope) {
    case group_scope::pcn: return !info.pcn.empty();
    case group_scope::place: return !info.place.empty();
    case group_scope::system: return true;
    }
    return true;
}

std::size_t engine::group_of(const group_state& g, std::size_t p) const {
    switch (std::get<group_condition>(rules_->rules[g.rule].when).scope) {
    case group_scope::pcn: return practices_[p].pcn;
    case group_scope::place: return practices_[p].place;
    case group_scope::system: return 0;
    }
    return 0;
}

std::string engine::group_subject(group_scope scope, std::size_t g) const {
    switch (scope) {
    case group_scope::pcn: return pcns_[g];
    case group_scope::place: return places_[g];
    case group_scope::system: return "system";
    }
    return "system";
}

std::optional<std::size_t> engine::theme_index(const std::string& id) const {
    const auto& t = rules_->themes;
    const auto it = std::find(t.begin(), t.end(), id);
    if (it == t.end())
        return std::nullopt;
    return static_cast<std::size_t>(it - t.begin());
}

} // namespace opel::rules
