#pragma once
// The board paper's sections of the monthly report's page: this month
// against the last, the weekly trend (an inline SVG chart and its table), and
// a table per place and per PCN. Each reads the keys add_board_figures made
// and renders nothing when they are absent (a report built without them).

#include "summary/themes.hpp"

#include <string>

#include <boost/json.hpp>

namespace opel::summary {

/// "November 2026" for "2026-11"; the text unchanged when it is not a month.
std::string month_title(const std::string& yyyy_mm);

/// Figures of this month beside the month before, with the change.
std::string comparison_section(const boost::json::object& report);

/// The weeks as stacked bars by level with each week's level, then a table.
std::string weekly_section(const boost::json::object& report);

/// A table per place and per PCN: responses by level, reporting, level.
std::string groups_section(const boost::json::object& report);

/// Themes by name, this month's count and last month's.
std::string themes_section(const boost::json::object& report, const theme_names& names);

/// Print rules for A4: page size and margins, and sections kept whole.
std::string_view a4_css();

} // namespace opel::summary
