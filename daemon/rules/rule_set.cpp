// Queries on a loaded rule set.
#include "rules/rule_set.hpp"

#include <algorithm>

namespace opel::rules {

bool rule_set::has_theme(const std::string& id) const {
    return std::find(themes.begin(), themes.end(), id) != themes.end();
}

} // namespace opel::rules
