#pragma once
// A loaded rules file: the theme ids, the stale-after period, the system-level
// thresholds, and the rules. Immutable once loaded; reload swaps a new one in.

#include "core/system_level.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace opel::rules {

/// A validated rules file.
struct rule_set {
    std::vector<std::string> themes;                  ///< declared theme ids
    std::chrono::hours stale_after{7 * 24};           ///< reports older are stale
    core::system_thresholds system;
    // The rules themselves arrive with the engine (issue 4).

    /// True when `id` is a declared theme.
    bool has_theme(const std::string& id) const;
};

} // namespace opel::rules
