#pragma once
// Everything derived from one loaded configuration, built once and swapped
// whole on reload so a request never sees half of an old config and half of
// a new one.

#include "config/config.hpp"
#include "service/token_table.hpp"

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace opel::service {

/// A configuration with its lookup tables.
struct deployment {
    /// Indexes `cfg`.
    explicit deployment(std::shared_ptr<const config::config> cfg);

    std::shared_ptr<const config::config> cfg;
    token_table tokens;
    std::unordered_map<std::string, const core::practice*> practices; ///< by code

    /// The practice `code`, or null.
    const core::practice* find_practice(std::string_view code) const;
    /// The configuration's practices, sharing its ownership (the aliasing
    /// constructor), for whoever keeps them beyond a request: the engine and
    /// the sender hold this rather than a copy of each practice.
    std::shared_ptr<const std::vector<core::practice>> practice_list() const {
        return {cfg, &cfg->practices};
    }
};

} // namespace opel::service
