#pragma once
// The per-address request limit (`limits.per_address`): every request counts
// against the address it came from, before any other work, so a flood without
// a token is refused as cheaply as one with. HTTP and ZeroMQ ingest each hold
// one, with the same settings.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "service/reply.hpp"

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>

namespace opel::service {

/// A token bucket per client address, with exempt addresses. Not
/// thread-safe: one thread uses it (or its owner locks around it).
class address_limiter {
public:
    /// `limited` counts the requests refused.
    address_limiter(const core::clock& clock, std::atomic<std::uint64_t>& limited)
        : clock_(clock), limited_(limited) {}

    /// Sets the limits (at start and on reload).
    void configure(const config::address_limits_config& l);
    /// Takes one request from `peer`'s bucket; a 429 reply with Retry-After
    /// when it is over its limit.
    std::optional<reply> take(const std::string& peer);
    /// True for an address no per-address limit applies to.
    bool exempt(const std::string& peer) const { return exempt_.contains(peer); }
    /// The number of buckets held (for tests).
    std::size_t size() const { return buckets_.size(); }

private:
    const core::clock& clock_;
    std::atomic<std::uint64_t>& limited_;
    core::rate_limiter buckets_{0, 0};
    std::set<std::string, std::less<>> exempt_;
    core::time_point last_expiry_{};
};

} // namespace opel::service
