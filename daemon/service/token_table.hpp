#pragma once
// Bearer tokens to principals. Only SHA-256 digests are configured; the
// presented token is hashed and looked up, then compared in constant time.

#include "config/config.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace opel::service {

/// Who is calling.
struct principal {
    std::string name;
    core::role role = core::role::practice;
    std::string practice; ///< for role practice
    std::string key;      ///< the token's digest (hex): rate limits and audit key on it
};

/// The configured tokens, by digest.
class token_table {
public:
    /// Indexes `tokens`.
    explicit token_table(const std::vector<config::token>& tokens);
    /// The principal for a bearer token, or nullopt when it is unknown.
    std::optional<principal> authenticate(std::string_view bearer) const;

private:
    std::unordered_map<std::string, const config::token*> by_digest_;
    std::vector<config::token> tokens_;
};

/// The token in an `Authorization: Bearer TOKEN` header value, or empty.
std::string_view bearer_token(std::string_view authorization);

/// True when `r` may read everything (team, control_room, admin).
bool can_read_all(core::role r);

} // namespace opel::service
