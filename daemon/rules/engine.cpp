// The engine's public calls and the alert lifecycle: one open alert per rule
// and subject; a repeat adds evidence without notifying; firing, then
// acknowledged, then resolved; a worse level fires again; silences keep an
// alert from being pushed but never from being recorded. The conditions live
// in engine_evaluate.cpp, the report state in engine_state.cpp and the timers
// in engine_time.cpp: one class, split by concern to keep each file readable.
#include "rules/engine.hpp"

#include "core/opel_level.hpp"

#include <algorithm>
#include <iterator>

namespace opel::rules {

engine::engine(std::shared_ptr<const rule_set> rules, directory practices,
               core::calendar calendar, const date::time_zone* zone)
    : rules_(std::move(rules)), calendar_(std::move(calendar)), zone_(zone) {
    index_practices(std::move(practices));
    rebuild();
}

engine::engine(std::shared_ptr<const rule_set> rules, std::vector<core::practice> practices,
               core::calendar calendar, const date::time_zone* zone)
    : engine(std::move(rules),
             std::make_shared<const std::vector<core::practice>>(std::move(practices)),
             std::move(calendar), zone) {}

void engine::restore_submission(const core::submission& s) {
    if (const auto p = practice_index(s.practice))
        apply_report(*p, s);
}

void engine::restore_alert(const alert& a) {
    next_id_ = std::max(next_id_, a.id + 1);
    if (a.state == alert_state::resolved)
        return;
    if (const auto it = open_.find(a.id); it != open_.end())
        unindex_open(it->second);
    index_open(open_[a.id] = a);
    schedule_watchers(a);
}

void engine::restore_silence(const silence& s) {
    silences_[s.id] = s;
    next_silence_id_ = std::max(next_silence_id_, s.id + 1);
    silence_q_.insert({s.starts_at, s.id});
    silence_q_.insert({s.ends_at, s.id});
}

std::vector<alert_change> engine::resume(core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    resolve_orphans(now, out);
    // Support is restored after the reports: the waits start only now.
    arm_support_waits();
    run_due(now, out);
    settle_all(now, out);
    return out;
}

std::vector<alert_change> engine::on_submission(const core::submission& s, core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    run_due(now, out);
    const auto p = practice_index(s.practice);
    if (!p)
        return out;
    const auto prev = apply_report(*p, s);
    evaluate_report(*p, s, prev, now, out);
    settle(now, out);
    return out;
}

std::vector<alert_change> engine::on_time(core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    run_due(now, out);
    settle(now, out);
    return out;
}

std::vector<alert_change> engine::check_not_reporting(core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    run_due(now, out);
    // Once a day over every practice: the one check that scans them all.
    for (const auto& r : rules_->rules)
        if (std::holds_alternative<not_reporting_condition>(r.when))
            for (std::size_t p = 0; p < practices_.size(); ++p)
                check_not_reporting(r, p, now, out);
    settle(now, out);
    return out;
}

std::variant<std::vector<alert_change>, std::string> engine::acknowledge(std::int64_t id,
                                                                         std::string who,
                                                                         std::string note,
                                                                         core::time_point now) {
    const auto it = open_.find(id);
    if (it == open_.end())
        return "no open alert has id " + std::to_string(id);
    changes out;
    now_ = std::max(now_, now);
    alert& a = it->second;
    if (a.state == alert_state::acknowledged) {
        out.push_back({a, false, "already acknowledged by " + a.acknowledged_by});
        return out;
    }
    a.state = alert_state::acknowledged;
    a.acknowledged_by = std::move(who);
    a.note = std::move(note);
    emit(a, true, "acknowledged by " + a.acknowledged_by, now, out);
    settle(now, out);
    return out;
}

std::vector<alert_change> engine::reload(std::shared_ptr<const rule_set> rules,
                                         std::vector<core::practice> practices,
                                         core::calendar calendar, core::time_point now) {
    return reload(std::move(rules),
                  std::make_shared<const std::vector<core::practice>>(std::move(practices)),
                  std::move(calendar), now);
}

std::vector<alert_change> engine::reload(std::shared_ptr<const rule_set> rules,
                                         directory practices, core::calendar calendar,
                                         core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    rules_ = std::move(rules);
    calendar_ = std::move(calendar);
    index_practices(std::move(practices));
    rebuild();
    resolve_orphans(now, out);
    run_due(now, out);
    settle_all(now, out);
    return out;
}

std::pair<silence, std::vector<alert_change>> engine::add_silence(silence s,
                                                                 core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    if (s.id == 0)
        s.id = next_silence_id_;
    restore_silence(s);
    run_due(now, out);
    settle(now, out);
    return {s, std::move(out)};
}

std::vector<alert_change> engine::expire_silence(std::int64_t id, core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    silences_.erase(id);
    apply_silences(now, out);
    settle(now, out);
    return out;
}

std::vector<alert_change> engine::raise_own(alert a, core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    if (open_alert(a.rule, a.subject))
        return out;
    a.id = next_id_++;
    a.state = alert_state::firing;
    a.created_at = now;
    a.fired_at = now;
    const auto id = a.id;
    auto& held = open_[id] = std::move(a);
    index_open(held);
    emit(held, true, "raised by the daemon", now, out);
    out.front().created = true;
    return out;
}

std::vector<alert_change> engine::resolve_own(const std::string& rule,
                                              const std::string& subject,
                                              const std::string& reason, core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    if (const alert* a = open_alert(rule, subject))
        resolve(a->id, reason, now, out);
    settle(now, out);
    return out;
}

std::vector<std::string> engine::own_subjects(const std::string& rule) const {
    std::vector<std::string> out;
    for (const auto& [id, a] : open_)
        if (a.rule == rule)
            out.push_back(a.subject);
    return out;
}

std::vector<alert> engine::open_alerts() const {
    std::vector<alert> out;
    for (const auto& [id, a] : open_)
        out.push_back(a);
    return out;
}

const alert* engine::find(std::int64_t id) const {
    const auto it = open_.find(id);
    return it == open_.end() ? nullptr : &it->second;
}

std::vector<silence> engine::silences() const {
    std::vector<silence> out;
    for (const auto& [id, s] : silences_)
        out.push_back(s);
    return out;
}

// --- lifecycle ------------------------------------------------------------

alert* engine::open_alert(const std::string& rule, const std::string& subject) {
    const auto it = by_key_.find(key_view{rule, subject});
    return it == by_key_.end() ? nullptr : it->second;
}

void engine::index_open(alert& a) {
    const key_view key{a.rule, a.subject};
    // Erased, not assigned: the key's views must be this alert's strings.
    if (const auto it = by_key_.find(key); it != by_key_.end())
        by_key_.erase(it);
    by_key_.emplace(key, &a);
}

void engine::unindex_open(const alert& a) {
    if (const auto it = by_key_.find(key_view{a.rule, a.subject});
        it != by_key_.end() && it->second == &a)
        by_key_.erase(it);
}

bool engine::suppressed(const finding& f) {
    // While a rule that supersedes this one has an alert open on the subject
    // (level 4 over level 3), the lesser alert stays down.
    const auto ri = static_cast<std::size_t>(f.r - rules_->rules.data());
    return std::any_of(superseders_[ri].begin(), superseders_[ri].end(), [&](std::size_t s) {
        return open_alert(rules_->rules[s].name, f.subject) != nullptr;
    });
}

namespace {

// An alert that stays open for months (a theme cluster, say) would otherwise
// carry every report since it fired, and each repeat would cost in
// proportion; it keeps the latest (highest) max_evidence ids, sorted.
void keep_latest(std::vector<std::int64_t>& evidence) {
    if (evidence.size() > engine::max_evidence)
        evidence.erase(evidence.begin(),
                       evidence.end() - static_cast<std::ptrdiff_t>(engine::max_evidence));
}

// Adds `more` (sorted, no repeats) to an alert's evidence; false when that
// changes nothing. A union of sorted lists, so an id that has already been
// dropped as too old does not come back and push out a newer one.
bool merge_evidence(std::vector<std::int64_t>& evidence, const std::vector<std::int64_t>& more) {
    if (!std::is_sorted(evidence.begin(), evidence.end())) { // as stored by an older version
        std::sort(evidence.begin(), evidence.end());
        evidence.erase(std::unique(evidence.begin(), evidence.end()), evidence.end());
    }
    if (more.empty() && evidence.size() <= engine::max_evidence)
        return false;
    // The common repeat: newer reports than any held. Appended in place (the
    // oldest dropped when full) instead of building the union anew.
    if (!more.empty() && (evidence.empty() || more.front() > evidence.back())) {
        const auto drop = evidence.size() + more.size() > engine::max_evidence
                              ? evidence.size() + more.size() - engine::max_evidence
                              : 0;
        if (drop >= evidence.size()) {
            evidence.assign(more.end() - static_cast<std::ptrdiff_t>(
                                             std::min(more.size(), engine::max_evidence)),
                            more.end());
            return true;
        }
        evidence.erase(evidence.begin(), evidence.begin() + static_cast<std::ptrdiff_t>(drop));
        evidence.insert(evidence.end(), more.begin(), more.end());
        return true;
    }
    // A few ids out of order (a backtest's history numbered by line, not by
    // time): each put in its place, the oldest dropped when full. The same
    // as the union's latest max_evidence, without building it.
    if (evidence.size() <= engine::max_evidence && more.size() <= 4) {
        bool changed = false;
        for (const auto id : more) {
            const auto at = std::lower_bound(evidence.begin(), evidence.end(), id);
            if (at != evidence.end() && *at == id)
                continue;
            if (evidence.size() >= engine::max_evidence && at == evidence.begin())
                continue; // older than every id kept: it would go at once
            evidence.insert(at, id);
            if (evidence.size() > engine::max_evidence)
                evidence.erase(evidence.begin());
            changed = true;
        }
        return changed;
    }
    if (evidence.size() <= engine::max_evidence &&
        std::includes(evidence.begin(), evidence.end(), more.begin(), more.end()))
        return false;
    std::vector<std::int64_t> merged;
    merged.reserve(evidence.size() + more.size());
    std::set_union(evidence.begin(), evidence.end(), more.begin(), more.end(),
                   std::back_inserter(merged));
    keep_latest(merged);
    if (merged == evidence)
        return false;
    evidence = std::move(merged);
    return true;
}

} // namespace

void engine::raise(finding f, core::time_point now, changes& out) {
    if (suppressed(f))
        return;
    std::sort(f.evidence.begin(), f.evidence.end());
    f.evidence.erase(std::unique(f.evidence.begin(), f.evidence.end()), f.evidence.end());
    alert* a = open_alert(f.r->name, f.subject);
    if (!a) {
        alert n;
        n.id = next_id_++;
        n.rule = f.r->name;
        n.level = f.level;
        n.scope = f.scope;
        n.subject = f.subject;
        n.audiences = f.r->audiences;
        n.evidence = std::move(f.evidence);
        keep_latest(n.evidence);
        n.created_at = now;
        n.fired_at = now;
        render(n, f);
        n.title = scratch_title_;
        n.message = scratch_message_;
        const auto id = n.id;
        auto& held = open_[id] = std::move(n);
        index_open(held);
        touch_source(held);
        const auto at = out.size(); // emit's change; after_change may add more
        emit(held, true, f.why(), now, out);
        out[at].created = true;
        return;
    }
    const bool worse = f.level > a->level;
    const bool added = merge_evidence(a->evidence, f.evidence);
    if (worse) {
        a->level = f.level;
        a->state = alert_state::firing;
        a->fired_at = now;
        a->acknowledged_by.clear();
        a->note.clear();
    }
    // The text always describes the present: a count that moved is a new
    // text, published, but nobody is notified again unless the level rose.
    render(*a, f);
    const bool changed_text = a->title != scratch_title_ || a->message != scratch_message_;
    if (changed_text) {
        a->title.assign(scratch_title_);
        a->message.assign(scratch_message_);
    }
    // A group's counts are news to the feeds; a practice's repeat is not (its
    // row still shows the latest report's text, as it always has).
    const bool reworded = changed_text && a->scope != "practice";
    if (!worse && !added && !reworded)
        return;
    emit(*a, worse,
         (worse ? "worse, fires again: " : reworded ? "now reads: " : "repeat: ") + f.why(), now,
         out, reworded, !worse);
}

void engine::resolve(std::int64_t id, const std::string& reason, core::time_point now,
                     changes& out) {
    const auto it = open_.find(id);
    if (it == open_.end())
        return;
    unindex_open(it->second);
    alert a = std::move(it->second);
    open_.erase(it);
    touch_source(a);
    a.state = alert_state::resolved;
    a.resolution = reason;
    emit(a, true, "resolved: " + reason, now, out);
}

void engine::resolve_orphans(core::time_point now, changes& out) {
    std::vector<std::pair<std::int64_t, std::string>> gone;
    for (const auto& [id, a] : open_)
        if (is_own_rule(a.rule))
            continue; // raised and resolved by the daemon, not by a rule
        else if (!rules_->find(a.rule))
            gone.emplace_back(id, "the rule " + a.rule + " is no longer in the rules file");
        else if (a.scope == "practice" && !practice_index(a.subject))
            gone.emplace_back(id, "practice " + a.subject + " is no longer in the practices file");
    for (const auto& [id, reason] : gone)
        resolve(id, reason, now, out);
}

void engine::emit(alert& a, bool notify, std::string why, core::time_point now, changes& out,
                  bool publish, bool refresh) {
    if (out.capacity() == 0)
        out.reserve(8); // a report that changes anything changes several alerts
    a.updated_at = now;
    a.silenced = silenced_now(a, now);
    // A resolved alert keeps the inhibition it ended under: one that was
    // never told is not told of its end either.
    const bool was_inhibited = a.inhibited_by.has_value();
    if (a.state != alert_state::resolved) {
        const alert* by = inhibitor_for(a);
        a.inhibited_by = by ? std::optional<std::int64_t>(by->id) : std::nullopt;
    }
    const bool quiet = a.silenced || a.inhibited_by.has_value();
    // Released while it still fires: the alert that spoke for it has gone,
    // so it is told now, whatever else this change is.
    const bool released =
        was_inhibited && !a.inhibited_by && a.state == alert_state::firing;
    if (released && why.find("no longer inhibited") == std::string::npos)
        why += " (no longer inhibited: the alert that spoke for it has resolved)";
    alert_change c{a, (notify || released) && !quiet, std::move(why)};
    c.publish = !a.silenced && (notify || publish || was_inhibited != a.inhibited_by.has_value());
    c.refresh = refresh && !c.notify && was_inhibited == a.inhibited_by.has_value();
    out.push_back(std::move(c));
    // after_change may resolve other alerts, and through them (in a rules
    // file that allows it) this one, so it gets its own copy of what it
    // reads: the key, the state and the times, not the texts and evidence.
    alert key;
    key.id = a.id;
    key.rule = a.rule;
    key.subject = a.subject;
    key.state = a.state;
    key.fired_at = a.fired_at;
    key.acknowledged_by = a.acknowledged_by;
    after_change(key, now, out);
}

const alert* engine::inhibitor_for(const alert& a) const {
    const auto r = rule_index_.find(a.rule);
    if (r == rule_index_.end())
        return nullptr;
    for (const auto s : inhibitors_[r->second]) {
        const auto it = by_key_.find(key_view{rules_->rules[s].name, a.subject});
        if (it != by_key_.end() && it->second->id != a.id)
            return it->second;
    }
    return nullptr;
}

void engine::touch_source(const alert& a) {
    const auto r = rule_index_.find(a.rule);
    if (r != rule_index_.end() && !rules_->rules[r->second].inhibits.empty())
        touched_.insert({r->second, a.subject});
}

void engine::reinhibit(alert& a, core::time_point now, changes& out) {
    const alert* by = inhibitor_for(a);
    const auto now_by = by ? std::optional<std::int64_t>(by->id) : std::nullopt;
    if (now_by == a.inhibited_by)
        return;
    // Released: the alert that spoke for it has gone while it still holds, so
    // it is told now. Moved to another inhibitor, or newly inhibited: only
    // published.
    const bool released = !now_by;
    const auto why = released ? "no longer inhibited: alert " + std::to_string(*a.inhibited_by) +
                                    " has resolved"
                              : "inhibited by alert " + std::to_string(*now_by) + " (" +
                                    by->rule + ")";
    emit(a, released && a.state == alert_state::firing, why, now, out, true);
}

void engine::settle(core::time_point now, changes& out) {
    while (!touched_.empty()) {
        const auto [ri, subject] = *touched_.begin();
        touched_.erase(touched_.begin());
        for (const auto& target : rules_->rules[ri].inhibits)
            if (alert* b = open_alert(target, subject))
                reinhibit(*b, now, out);
    }
}

void engine::settle_all(core::time_point now, changes& out) {
    touched_.clear();
    std::vector<std::int64_t> ids;
    for (const auto& [id, a] : open_)
        ids.push_back(id);
    for (const auto id : ids)
        if (const auto it = open_.find(id); it != open_.end())
            reinhibit(it->second, now, out);
    settle(now, out);
}

void engine::after_change(const alert& a, core::time_point now, changes& out) {
    const rule* r = rules_->find(a.rule);
    if (r && a.state == alert_state::firing)
        for (const auto& lesser : r->supersedes)
            if (const alert* old = open_alert(lesser, a.subject))
                resolve(old->id, "superseded by " + a.rule + " (alert " + std::to_string(a.id) + ")",
                        now, out);
    if (a.state == alert_state::firing) {
        schedule_watchers(a);
        return;
    }
    // An acknowledged or resolved alert is no longer "still firing".
    for (const auto& u : rules_->rules) {
        const auto* c = std::get_if<unacknowledged_condition>(&u.when);
        if (!c || c->rule != a.rule)
            continue;
        if (const alert* w = open_alert(u.name, a.subject))
            resolve(w->id,
                    "alert " + std::to_string(a.id) +
                        (a.state == alert_state::resolved ? " resolved"
                                                          : " acknowledged by " + a.acknowledged_by),
                    now, out);
    }
}

void engine::schedule_watchers(const alert& a) {
    if (a.state != alert_state::firing || !a.fired_at)
        return;
    for (std::size_t i = 0; i < rules_->rules.size(); ++i) {
        const auto* c = std::get_if<unacknowledged_condition>(&rules_->rules[i].when);
        if (c && c->rule == a.rule)
            unack_q_.insert({*a.fired_at + c->after, i, a.id});
    }
}

bool engine::silenced_now(const alert& a, core::time_point now) const {
    return std::any_of(silences_.begin(), silences_.end(), [&](const auto& kv) {
        return kv.second.active_at(now) && kv.second.matches(a);
    });
}

void engine::apply_silences(core::time_point now, changes& out) {
    for (auto& [id, a] : open_) {
        const bool s = silenced_now(a, now);
        if (s == a.silenced)
            continue;
        a.silenced = s;
        a.updated_at = now;
        // The end of a silence pushes what it held back, if it still fires.
        const bool push = !s && a.state == alert_state::firing;
        out.push_back({a, push, s ? "silenced" : "silence ended"});
    }
}

void engine::render(const alert& a, const finding& f) const {
    const auto& info = core::level_of(a.level);
    // The alert's own values first: they win over a finding's of the same name.
    const auto append = [&](std::string& out, std::string_view name) {
        if (name == "rule")
            out += a.rule;
        else if (name == "level")
            out += std::to_string(a.level);
        else if (name == "level.name")
            out += info.name;
        else if (name == "level.colour")
            out += info.colour;
        else if (name == "support")
            out += info.support;
        else if (name == "scope")
            out += a.scope;
        else if (name == "subject")
            out += a.subject;
        else if (const auto* v = f.value(name))
            out += *v;
        else if (f.practice)
            append_practice_value(out, name, f);
    };
    scratch_title_.clear();
    scratch_message_.clear();
    f.r->title.render_to(scratch_title_, append);
    f.r->message.render_to(scratch_message_, append);
}

} // namespace opel::rules
