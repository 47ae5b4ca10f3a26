#pragma once
// The monthly report's `format=csv` and `format=html` forms, from the object
// build_monthly made.

#include "summary/themes.hpp"

#include <string>

#include <boost/json.hpp>

namespace opel::summary {

/// Long-form CSV (`section,key,value`): month, responses, practices_reporting,
/// then one row per level, per place and per theme (by its name in
/// `themes`), support by action (by its name in `actions`), escalations, and
/// the board figures when the report has them: each place's and PCN's month,
/// each week, and the month before.
std::string render_monthly_csv(const boost::json::object& report, const theme_names& themes = {},
                               const theme_names& actions = {});

/// A self-contained page for a board paper, printable on A4: the month
/// against the last, an inline SVG bar chart of responses by level, the
/// weekly trend, a table per place and per PCN, themes by their names in
/// `themes`, and support by the actions' names in `actions`.
std::string render_monthly_html(const boost::json::object& report, const theme_names& themes = {},
                                const theme_names& actions = {});

} // namespace opel::summary
