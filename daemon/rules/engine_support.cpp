// The `support` condition: a practice standing at 3 or 4 since a report N
// working days ago (or more) with no support item open. The engine learns of
// support from the service that writes the items (on_support, and
// restore_support on start); the run of pressure it measures from is kept by
// apply_report. A deadline falls at the same local time of day N working days
// after the run began, so a level 4 reported on Friday at 10:00 with two
// working days to wait fires on Tuesday at 10:00.
#include "rules/engine.hpp"

namespace opel::rules {

namespace {

int support_days(const rule& r) { return std::get<support_condition>(r.when).working_days; }

} // namespace

core::time_point engine::support_deadline(core::time_point since, int working_days) const {
    const auto* tz = zone_ ? zone_ : date::locate_zone("Etc/UTC");
    const auto local = tz->to_local(since);
    const auto day = date::floor<date::days>(local);
    const auto time_of_day = local - day;
    auto d = date::sys_days{day.time_since_epoch()};
    for (int n = 0; n < working_days;) {
        d += date::days{1};
        if (calendar_.is_working_day(d))
            ++n;
    }
    const auto at = date::local_days{d.time_since_epoch()} + time_of_day;
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        tz->to_sys(at, date::choose::earliest));
}

void engine::schedule_support(std::size_t p) {
    const auto& st = practices_[p];
    if (!st.pressed_since || st.supported)
        return;
    for (const auto& r : rules_->rules)
        if (std::holds_alternative<support_condition>(r.when))
            support_q_.insert({support_deadline(*st.pressed_since, support_days(r)), p});
}

void engine::arm_support_waits() {
    support_q_.clear();
    for (std::size_t p = 0; p < practices_.size(); ++p)
        schedule_support(p);
}

void engine::restore_support(const std::string& practice, bool open) {
    if (const auto p = practice_index(practice))
        practices_[*p].supported = open;
}

std::vector<alert_change> engine::on_support(const std::string& practice, bool open,
                                             core::time_point now) {
    changes out;
    now_ = std::max(now_, now);
    run_due(now, out);
    const auto found = practice_index(practice);
    if (!found)
        return out;
    const auto p = *found;
    practices_[p].supported = open;
    for (const auto& r : rules_->rules) {
        if (!std::holds_alternative<support_condition>(r.when))
            continue;
        if (open) {
            if (const alert* a = open_alert(r.name, practice))
                resolve(a->id, "support was offered to " + practice, now, out);
        } else {
            evaluate_unsupported(r, p, now, out);
        }
    }
    return out;
}

bool engine::evaluate_unsupported(const rule& r, std::size_t p, core::time_point now,
                                  changes& out) {
    const auto& st = practices_[p];
    if (!st.pressed_since || st.supported || !st.latest || !fresh(st.latest->at) ||
        !r.admits(st.info->pcn, st.info->place))
        return false;
    const auto due = support_deadline(*st.pressed_since, support_days(r));
    if (now < due) {
        support_q_.insert({due, p});
        return true; // pending: the alert, if any, stays
    }
    if (open_alert(r.name, st.info->code))
        return true;
    auto f = practice_finding(r, p, &*st.latest, r.level.value_or(st.latest->level));
    f.evidence = {st.latest->id};
    f.set("days", std::to_string(support_days(r)));
    const auto why = [&] {
        return st.info->code + " at level 3 or 4 since " + local_text(*st.pressed_since) +
               " with no support offered";
    };
    f.why = why;
    raise(std::move(f), now, out);
    return true;
}

void engine::fire_unsupported(std::size_t p, core::time_point now, changes& out) {
    for (const auto& r : rules_->rules)
        if (std::holds_alternative<support_condition>(r.when))
            evaluate_unsupported(r, p, now, out);
}

} // namespace opel::rules
