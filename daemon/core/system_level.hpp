#pragma once
// The level of a group of practices (a PCN, a place, the system) from the
// levels its practices stand at, by the configurable thresholds of CONTRACT.md.

#include "core/types.hpp"

#include <array>
#include <optional>

namespace opel::core {

/// The system-level thresholds, as fractions (0.05 = 5%).
struct system_thresholds {
    double level4_share_at_4 = 0.05; ///< level 4 if this share stands at 4
    double level4_share_at_3 = 0.30; ///< or this share at 3 or 4
    double level3_share_at_3 = 0.15; ///< else 3 if this share at 3 or 4
    double level2_share_at_2 = 0.40; ///< else 2 if this share at 2 or above
};

/// `{level, counts, practices, reporting, stale}` of CONTRACT.md.
struct group_status {
    std::optional<int> level;      ///< null when no practice stands at a level
    std::array<int, 4> counts{};   ///< practices standing at 1..4
    int practices = 0;             ///< practices in the group
    int reporting = 0;             ///< practices standing at a level (a fresh report)
    int stale = 0;                 ///< practices whose latest report is stale
};

/// Adds one practice to `g`: `level` is its latest report's level (nullopt if it
/// never reported) and `fresh` whether that report is within the stale window.
void add_practice(group_status& g, std::optional<int> level, bool fresh);

/// Sets `g.level` from its counts by the thresholds.
void settle_level(group_status& g, const system_thresholds& t);

/// The level `counts` gives by the thresholds; nullopt when the counts are empty.
std::optional<int> group_level(const std::array<int, 4>& counts, const system_thresholds& t);

} // namespace opel::core
