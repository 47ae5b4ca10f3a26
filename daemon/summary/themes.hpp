#pragma once
// Theme tallies as the summary and the monthly report show them.

#include <map>
#include <string>

#include <boost/json.hpp>

namespace opel::summary {

/// `[{theme, count}]`, most first, ties by theme id; zero counts left out.
boost::json::array rank_themes(const std::map<std::string, int>& counts);

} // namespace opel::summary
