// Lookup tables over one configuration.
#include "service/deployment.hpp"

namespace opel::service {

deployment::deployment(std::shared_ptr<const config::config> c)
    : cfg(std::move(c)), tokens(cfg->tokens) {
    for (const auto& p : cfg->practices)
        practices.emplace(p.code, &p);
}

const core::practice* deployment::find_practice(std::string_view code) const {
    const auto it = practices.find(std::string(code));
    return it == practices.end() ? nullptr : it->second;
}

} // namespace opel::service
