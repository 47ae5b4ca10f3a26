#pragma once
// The daily summary as data: who stands where at the moment it is built, by
// place and PCN, who is under pressure, who is silent, and what changed since
// the previous summary. Pure: the caller gathers the latest reports.

#include "core/system_level.hpp"
#include "core/types.hpp"

#include <chrono>
#include <map>
#include <string>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <boost/json.hpp>
#include <date/date.h>

namespace opel::summary {

/// Everything one daily summary is built from.
struct summary_input {
    date::year_month_day date;       ///< the local date it is the summary of
    core::time_point generated_at{}; ///< when it was built
    std::optional<core::time_point>
        as_of;         ///< the instant it pictures (the fire instant); default generated_at
    bool late = false; ///< built on start for a missed fire
    std::span<const core::practice>
        practices; ///< the practices file, in order; must outlive the call
    std::vector<std::optional<core::submission>>
        latest; ///< parallel to practices: latest report at or before as_of
    std::chrono::hours stale_after{7 * 24};         ///< the rules' stale window
    std::chrono::hours not_reporting_after{7 * 24}; ///< silent this long: not_reporting
    core::system_thresholds thresholds;
    std::optional<boost::json::object> previous; ///< the picture one working day earlier, for `changes`
    boost::json::array open_alerts;              ///< Alert objects open at as_of
    std::string timezone;                        ///< the IANA zone its times are read in
    /// Practice code -> its support open at as_of, `[{action, state}]`;
    /// each pressured practice carries its own (none: an empty list).
    std::map<std::string, boost::json::array> support;
};

/// `{level, counts, practices, reporting, stale}` with counts keyed "1".."4".
boost::json::object group_json(const core::group_status& g);

/// The summary object of CONTRACT.md, plus `practices` (one row per practice).
boost::json::object build_daily(const summary_input& in);

/// `{system, places}` of the summary `in` describes: the same levels and
/// counts as build_daily, without the lists (for the history of many days).
boost::json::object build_picture(const summary_input& in);

/// For each practice (in order), its latest submission with reported_at at or
/// before `as_of` among `submissions` (any order), or nullopt.
std::vector<std::optional<core::submission>>
latest_per_practice(std::span<const core::practice> practices,
                    std::span<const core::submission> submissions, core::time_point as_of);

/// "2026-11-30" as a date, or nullopt when it is not exactly YYYY-MM-DD and valid.
std::optional<date::year_month_day> parse_date(std::string_view text);

/// Each practice's standing level in a built summary (code to level; absent
/// when it stands at none), read from its `practices` rows.
std::vector<std::pair<std::string, int>> standing_levels(const boost::json::object& summary);

} // namespace opel::summary
