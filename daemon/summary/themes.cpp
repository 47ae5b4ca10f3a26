// Ranking theme counts: one ordering for the daily summary and the monthly
// report, so the same tally never reads differently in the two.
#include "summary/themes.hpp"

#include <algorithm>
#include <vector>

namespace opel::summary {

boost::json::array rank_themes(const std::map<std::string, int>& counts) {
    std::vector<std::pair<std::string, int>> ranked;
    for (const auto& [theme, n] : counts)
        if (n > 0) ranked.emplace_back(theme, n);
    // The map iterates by id, so a stable sort on count keeps ties by id.
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    boost::json::array out;
    out.reserve(ranked.size());
    for (const auto& [theme, n] : ranked)
        out.push_back(boost::json::object{{"theme", theme}, {"count", n}});
    return out;
}

} // namespace opel::summary
