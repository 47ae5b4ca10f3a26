#pragma once
// The monthly report's `format=csv` and `format=html` forms, from the object
// build_monthly made.

#include <string>

#include <boost/json.hpp>

namespace opel::summary {

/// Long-form CSV (`section,key,value`): month, responses, practices_reporting,
/// then one row per level, per place and per theme.
std::string render_monthly_csv(const boost::json::object& report);

/// A self-contained page with an inline SVG bar chart of responses by level.
std::string render_monthly_html(const boost::json::object& report);

} // namespace opel::summary
