#pragma once
// When the daily summary fires: `summary.at` in `timezone` on every working
// day of the calendar, as pure functions of instants, so the scheduler in app
// only arms a timer and records what it built.

#include "core/calendar.hpp"
#include "core/types.hpp"

#include <chrono>
#include <optional>

#include <date/date.h>
#include <date/tz.h>

namespace opel::summary {

/// The config's `summary.at`, `timezone` and `calendar`, together.
struct schedule {
    std::chrono::minutes at{9 * 60};     ///< local time of day, in [00:00, 24:00)
    const date::time_zone* tz = nullptr; ///< from date::locate_zone
    core::calendar cal;
};

/// The instant `at` falls on local date `d` (working day or not). A time in
/// the spring-forward gap fires when the gap ends; one in the autumn fold
/// fires at its first occurrence.
core::time_point fire_instant(const schedule& s, date::year_month_day d);

/// The local date `t` falls on in the schedule's zone.
date::year_month_day local_date(const schedule& s, core::time_point t);

/// The first fire instant strictly after `after`: the next working day's `at`;
/// time_point::max() if the calendar has no working day within ten years.
core::time_point next_fire(const schedule& s, core::time_point after);

/// The last fire instant at or before `t`, or nullopt if none within ten years.
std::optional<core::time_point> previous_fire(const schedule& s, core::time_point t);

/// The local date a fire instant belongs to (the summary's `date`).
date::year_month_day fire_date(const schedule& s, core::time_point fire);

/// True when a fire for `date` must build a summary: no summary has yet been
/// built for that date or a later one (never twice for a date).
bool due(date::year_month_day date, std::optional<date::year_month_day> last_summary_date);

/// On start: the latest fire instant in (db_created, now] whose date is after
/// `last_summary_date`, or nullopt. Only the latest: older missed ones are
/// not built.
std::optional<core::time_point> latest_missed(const schedule& s,
                                              std::optional<date::year_month_day> last_summary_date,
                                              core::time_point db_created, core::time_point now);

} // namespace opel::summary
