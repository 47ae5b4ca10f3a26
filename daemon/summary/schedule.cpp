// The daily summary's time arithmetic: which instant is "09:00 on a working
// day" in the configured zone, across daylight saving, and which summary a
// daemon that was down must still build. The zone rules come from the OS tz
// database through date::time_zone; nothing here does offset arithmetic.
#include "summary/schedule.hpp"

namespace opel::summary {

namespace {

// Ten years of days: a calendar with no working day must not loop for ever
// (the config loader refuses one; a hand-built one must not hang).
constexpr int search_days = 3660;

date::sys_days as_days(date::year_month_day d) {
    return date::sys_days{d};
}

} // namespace

core::time_point fire_instant(const schedule& s, date::year_month_day d) {
    const date::local_time<std::chrono::minutes> local{date::local_days{d}.time_since_epoch() +
                                                       s.at};
    // choose::earliest: in the autumn fold the first 01:30 (summer time); in
    // the spring gap date returns the instant the clocks go forward.
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        s.tz->to_sys(local, date::choose::earliest));
}

date::year_month_day local_date(const schedule& s, core::time_point t) {
    const auto local = s.tz->to_local(t);
    return date::year_month_day{date::floor<date::days>(local).time_since_epoch() +
                                date::sys_days{}};
}

core::time_point next_fire(const schedule& s, core::time_point after) {
    // Start a day early: where a zone repeats the late evening (a fold at
    // midnight) the previous date's fire can lie after a later-dated instant.
    auto d = as_days(local_date(s, after)) - date::days{1};
    for (int i = 0; i < search_days; ++i, d += date::days{1}) {
        if (!s.cal.is_working_day(d)) continue;
        const auto f = fire_instant(s, date::year_month_day{d});
        if (f > after) return f;
    }
    return core::time_point::max();
}

std::optional<core::time_point> previous_fire(const schedule& s, core::time_point t) {
    auto d = as_days(local_date(s, t)) + date::days{1};
    for (int i = 0; i < search_days; ++i, d -= date::days{1}) {
        if (!s.cal.is_working_day(d)) continue;
        const auto f = fire_instant(s, date::year_month_day{d});
        if (f <= t) return f;
    }
    return std::nullopt;
}

date::year_month_day fire_date(const schedule& s, core::time_point fire) {
    return local_date(s, fire);
}

bool due(date::year_month_day date, std::optional<date::year_month_day> last_summary_date) {
    return !last_summary_date || date > *last_summary_date;
}

std::optional<core::time_point> latest_missed(const schedule& s,
                                              std::optional<date::year_month_day> last_summary_date,
                                              core::time_point db_created, core::time_point now) {
    // Fire dates rise with fire instants, so the latest fire at or before now
    // is the only candidate: if it was done or predates the database, so was
    // (or did) every earlier one.
    const auto f = previous_fire(s, now);
    if (!f || *f <= db_created) return std::nullopt;
    if (!due(fire_date(s, *f), last_summary_date)) return std::nullopt;
    return f;
}

} // namespace opel::summary
