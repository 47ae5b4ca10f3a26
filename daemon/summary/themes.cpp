// Ranking theme counts: one ordering for the daily summary and the monthly
// report, so the same tally never reads differently in the two. And the
// names of themes, which every form a person reads shows instead of ids.
#include "summary/themes.hpp"

#include "rules/rule_set.hpp"

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

std::string theme_names::name(std::string_view id) const {
    // Fifteen themes by default: a scan costs less than keeping a map in step.
    for (const auto& [known, shown] : entries)
        if (known == id) return shown;
    return std::string(id);
}

std::string theme_names::joined(const boost::json::array& ids, std::string_view sep) const {
    std::string out;
    for (const auto& v : ids) {
        if (!v.is_string()) continue;
        if (!out.empty()) out += sep;
        out += name(v.get_string());
    }
    return out;
}

theme_names theme_names_of(const rules::rule_set& rules) {
    theme_names out;
    out.entries.reserve(rules.themes.size());
    for (const auto& id : rules.themes)
        out.entries.emplace_back(id, rules.theme_name(id));
    return out;
}

theme_names action_names_of(const rules::rule_set& rules) {
    theme_names out;
    out.entries.reserve(rules.support_actions.size());
    for (const auto& a : rules.support_actions)
        out.entries.emplace_back(a.id, a.name);
    return out;
}

} // namespace opel::summary
