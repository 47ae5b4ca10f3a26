#pragma once
// The monthly report: how many reports a calendar month (in the configured
// zone) received, by level, by place and by theme.

#include "core/system_level.hpp"
#include "core/support.hpp"
#include "core/types.hpp"

#include <optional>
#include <span>
#include <string_view>
#include <utility>

#include <boost/json.hpp>
#include <date/date.h>
#include <date/tz.h>

namespace opel::summary {

/// The UTC instants of local midnight starting `month` and the next month in
/// `tz`: a report belongs to the month when first <= reported_at < second.
std::pair<core::time_point, core::time_point> month_bounds(date::year_month month,
                                                           const date::time_zone* tz);

/// `{month, responses, by_level, by_place, themes, practices_reporting,
/// levels}` over the submissions whose reported_at falls in `month` in `tz`
/// (others ignored). `levels` is `{system, places: {id: level}, pcns: {name:
/// level}}`: the group-level rule `t` applied to the month's responses (each
/// response one count at its level; null when too few).
boost::json::object build_monthly(date::year_month month, const date::time_zone* tz,
                                  std::span<const core::submission> submissions,
                                  std::span<const core::practice> practices,
                                  const core::system_thresholds& t = {});

/// Adds to a built report `support: [{action, count}]` (the items created in
/// its month, most first) and `escalations: [{id, title, level, themes,
/// practices, created_at}]` (the month's escalations to the system, oldest first).
void add_support(boost::json::object& report, std::span<const core::support_item> created,
                 std::span<const core::escalation> escalations);

/// "2022-11" as a year_month, or nullopt when it is not one.
std::optional<date::year_month> parse_month(std::string_view text);

} // namespace opel::summary
