#pragma once
// The four OPEL levels of general practice, as DOMAIN.md tabulates them.

#include <string_view>

namespace opel::core {

/// One row of the OPEL table.
struct level_info {
    int level;
    std::string_view name;    ///< "Severe pressure"
    std::string_view colour;  ///< "amber"
    std::string_view hex;     ///< a colour for pages: "#f0a202"
    std::string_view meaning;
    std::string_view support; ///< the support required at this level
};

/// The row for `level` (1..4); levels outside clamp to the nearest row.
const level_info& level_of(int level);

} // namespace opel::core
