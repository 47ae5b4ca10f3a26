#pragma once
// The monthly report's `format=csv` and `format=html` forms, from the object
// build_monthly made.

#include "summary/themes.hpp"

#include <string>

#include <boost/json.hpp>

namespace opel::summary {

/// Long-form CSV (`section,key,value`): month, responses, practices_reporting,
/// then one row per level, per place and per theme.
std::string render_monthly_csv(const boost::json::object& report);

/// A self-contained page for a board paper, printable on A4: the month
/// against the last, an inline SVG bar chart of responses by level, the
/// weekly trend, a table per place and per PCN, and themes by their names in
/// `themes`.
std::string render_monthly_html(const boost::json::object& report, const theme_names& themes = {});

} // namespace opel::summary
