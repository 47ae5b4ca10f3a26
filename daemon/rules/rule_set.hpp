#pragma once
// A loaded rules file: the theme ids, the stale-after period, the system-level
// thresholds, and the rules. Immutable once loaded; reload swaps a new one in.

#include <chrono>
#include <string>
#include <vector>

namespace opel::rules {

/// The system-level thresholds of CONTRACT.md, as fractions (0.05 = 5%).
struct system_thresholds {
    double level4_share_at_4 = 0.05;   ///< level 4 if this share stands at 4
    double level4_share_at_3 = 0.30;   ///< or this share at 3 or 4
    double level3_share_at_3 = 0.15;   ///< else 3 if this share at 3 or 4
    double level2_share_at_2 = 0.40;   ///< else 2 if this share at 2 or above
};

/// A validated rules file.
struct rule_set {
    std::vector<std::string> themes;                  ///< declared theme ids
    std::chrono::hours stale_after{7 * 24};           ///< reports older are stale
    system_thresholds system;
    // The rules themselves arrive with the engine (issue 4).

    /// True when `id` is a declared theme.
    bool has_theme(const std::string& id) const;
};

} // namespace opel::rules
