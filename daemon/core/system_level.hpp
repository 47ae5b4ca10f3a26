#pragma once
// The level of a group of practices (a PCN, a place, the system) from the
// levels its practices stand at, by the group-level rule of CONTRACT.md: one
// rule for every group, so that one practice cannot paint its PCN, its place
// or the system red on its own, and a group with too few reporting has no
// level at all rather than a colour.

#include "core/types.hpp"

#include <array>
#include <optional>
#include <span>
#include <vector>

namespace opel::core {

/// What a share is a share of: practices, or their registered patients.
enum class group_weight { practices, list_size };

/// The group-level rule's configuration (`group_level:` in the rules file);
/// shares are fractions (0.05 = 5%).
struct system_thresholds {
    double level4_share_at_4 = 0.05; ///< level 4 if this share stands at 4
    double level4_share_at_3 = 0.30; ///< or this share at 3 or 4
    double level3_share_at_3 = 0.15; ///< else 3 if this share at 3 or 4
    double level2_share_at_2 = 0.40; ///< else 2 if this share at 2 or above
    int min_reporting = 3;           ///< fewer practices standing at a level: no level
    int min_practices = 2;           ///< practices a level-3 or level-4 share needs at least
    group_weight weight = group_weight::practices;
};

/// `{level, counts, practices, reporting, stale}` of CONTRACT.md.
struct group_status {
    std::optional<int> level;      ///< null when fewer than min_reporting stand at a level
    std::array<int, 4> counts{};   ///< practices standing at 1..4
    std::array<double, 4> weights{}; ///< their weights (1 each, or list sizes)
    int practices = 0;             ///< practices in the group
    int reporting = 0;             ///< practices standing at a level (a fresh report)
    int stale = 0;                 ///< practices whose latest report is stale
};

/// Adds one practice to `g`: `level` is its latest report's level (nullopt if it
/// never reported), `fresh` whether that report is within the stale window and
/// `weight` what it counts for in the shares (1, or its list size).
void add_practice(group_status& g, std::optional<int> level, bool fresh, double weight = 1.0);

/// Sets `g.level` by the group-level rule.
void settle_level(group_status& g, const system_thresholds& t);

/// The level of a group whose practices stand at levels 1..4 `counts` times,
/// with `weights` the weight standing at each level; nullopt when fewer than
/// `t.min_reporting` stand at a level.
std::optional<int> group_level(const std::array<int, 4>& counts,
                               const std::array<double, 4>& weights, const system_thresholds& t);

/// The same with every practice weighing one.
std::optional<int> group_level(const std::array<int, 4>& counts, const system_thresholds& t);

/// Each practice's weight under `w`, in the order of `practices`: 1 each by
/// practices; by list size, its list size, or the mean of the others' when it
/// has none (1 each when none has one).
std::vector<double> practice_weights(std::span<const practice> practices, group_weight w);

} // namespace opel::core
