// Token lookup. The map is keyed by the digest of the presented token, so its
// timing says nothing about any stored token's text; the final comparison is
// constant-time all the same, as a second guard.
#include "service/token_table.hpp"

#include "core/crypto.hpp"

namespace opel::service {

token_table::token_table(const std::vector<config::token>& tokens) : tokens_(tokens) {
    for (const auto& t : tokens_)
        by_digest_.emplace(core::to_hex(t.sha256), &t);
}

std::optional<principal> token_table::authenticate(std::string_view bearer) const {
    if (bearer.empty())
        return std::nullopt;
    const auto digest = core::sha256(bearer);
    auto hex = core::to_hex(digest);
    const auto it = by_digest_.find(hex);
    if (it == by_digest_.end() || !core::constant_time_equal(digest, it->second->sha256))
        return std::nullopt;
    const auto& t = *it->second;
    return principal{t.name, t.role, t.practice, std::move(hex)};
}

std::string_view bearer_token(std::string_view authorization) {
    constexpr std::string_view scheme = "Bearer ";
    if (authorization.size() <= scheme.size())
        return {};
    for (std::size_t i = 0; i < scheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(authorization[i])) !=
            std::tolower(static_cast<unsigned char>(scheme[i])))
            return {};
    auto token = authorization.substr(scheme.size());
    while (!token.empty() && token.front() == ' ')
        token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ')
        token.remove_suffix(1);
    return token;
}

bool can_read_all(core::role r) { return r != core::role::practice; }

} // namespace opel::service
