#pragma once
// The monthly report's figures for a board paper: each place and PCN's
// month, the weekly trend of levels, and the month before for comparison.
// Added under keys of their own, so the contract's fields stay as they are.

#include "core/system_level.hpp"
#include "core/types.hpp"

#include <span>

#include <boost/json.hpp>
#include <date/date.h>
#include <date/tz.h>

namespace opel::summary {

/// Adds to `report` (build_monthly's object for `month`):
/// - `groups`: `{places: {id: G}, pcns: {name: G + {place}}}`, G being
///   `{responses, by_level, practices, practices_reporting, level}`;
/// - `weeks`: `[{start, end, responses, by_level, level, places: {id: level}}]`,
///   the month cut at each Monday (local dates, `end` included), oldest first;
/// - `previous`: build_monthly's object for the month before.
/// Levels are the group-level rule `t` over the responses, as `levels` is.
/// `submissions` must hold both months' (others are ignored).
void add_board_figures(boost::json::object& report, date::year_month month,
                       const date::time_zone* tz, std::span<const core::submission> submissions,
                       std::span<const core::practice> practices,
                       const core::system_thresholds& t = {});

} // namespace opel::summary
