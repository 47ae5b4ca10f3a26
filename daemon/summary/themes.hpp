#pragma once
// Theme tallies as the summary and the monthly report show them, and the
// names people read for theme ids.

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json.hpp>

namespace opel::rules {
struct rule_set;
}

namespace opel::summary {

/// `[{theme, count}]`, most first, ties by theme id; zero counts left out.
boost::json::array rank_themes(const std::map<std::string, int>& counts);

/// The rules file's theme vocabulary: ids (the wire format) with the names
/// people read, in the file's order. The renderers take it as a value so they
/// stay pure; empty: every theme is shown by its id.
struct theme_names {
    std::vector<std::pair<std::string, std::string>> entries; ///< (id, name), in file order

    /// The name a person reads for `id`: its display name, else the id itself.
    std::string name(std::string_view id) const;
    /// The names of the ids in `ids` (JSON strings), joined by `sep`.
    std::string joined(const boost::json::array& ids, std::string_view sep) const;
};

/// Every declared theme of `rules`, with its display name (or its id).
theme_names theme_names_of(const rules::rule_set& rules);

/// Every support action of `rules` (`support_actions`), with its display
/// name: the same id-to-name lookup, for the support the reports show.
theme_names action_names_of(const rules::rule_set& rules);

} // namespace opel::summary
