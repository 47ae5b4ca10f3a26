#pragma once
// The history behind a level: the picture of each of the last days, as the
// 09:00 summary of that day would have drawn it, and a practice's reports
// day by day. Pure: the caller gathers the reports from the store.

#include "core/types.hpp"
#include "summary/daily.hpp"
#include "summary/schedule.hpp"

#include <boost/json.hpp>
#include <date/date.h>

#include <span>
#include <vector>

namespace opel::summary {

/// One day of a history: its local date and the instant its picture is taken.
struct history_day {
    date::year_month_day date;
    core::time_point as_of{};
};

/// The last `n` local dates up to today (the date of `now`), oldest first,
/// each pictured at `summary.at` of that date; today before then is pictured
/// at `now`, as an on-demand summary is. Every calendar day counts, working
/// or not: a weekend's picture is what stood then.
std::vector<history_day> history_days(const schedule& s, core::time_point now, int n);

/// `[{date, as_of, system, places}]` for `days` (oldest first, non-empty):
/// `base` carries the practices, stale window and thresholds, and in
/// `latest` each practice's latest report as of days.front().as_of; `later`
/// holds every report after that instant up to days.back().as_of, oldest first.
boost::json::array status_history(summary_input base, std::span<const history_day> days,
                                  std::span<const core::submission> later);

/// The instant local date `d` begins in the schedule's zone.
core::time_point start_of_day(const schedule& s, date::year_month_day d);

/// `[{date, level, themes, note, reported_at}]`: of `reports` (oldest first),
/// the latest of each local date, oldest first.
boost::json::array practice_history(const schedule& s, std::span<const core::submission> reports);

} // namespace opel::summary
