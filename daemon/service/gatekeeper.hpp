#pragma once
// The gate every authenticated call passes before its use case runs: the bearer token to a
// principal, the per-token rate limit, and the log of refusals. HTTP routes,
// HTTP submissions and ZeroMQ submissions all come through here, so a token
// is checked and counted the same way whichever door it knocks on.

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "service/deployment.hpp"
#include "service/metrics.hpp"
#include "service/reply.hpp"
#include "service/token_table.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace opel::service {

/// Where a call came from, for the refusal log: never the token.
struct caller {
    std::string_view peer; ///< the client's address; empty when unknown (logged as "zmq")
    std::string_view path; ///< the request target (its query is not logged)
};

/// Tokens, limits and the refusal log. Used on the io thread only.
class gatekeeper {
public:
    gatekeeper(const core::clock& clock, metrics& m);

    /// Swaps in a new deployment (on reload): its tokens and its rate limit.
    void set_deployment(std::shared_ptr<const deployment> d);

    /// Authenticates and rate-limits a bearer token: the principal, or the
    /// reply that refuses it (401, 429). A refusal of the token is logged.
    std::variant<principal, reply> admit(std::string_view bearer, caller from = {});

    /// Logs a refused call (401 or 403): the address, the path and why, never
    /// the token; at most a burst of 20 lines then one a second, with a count
    /// of those left out, so a flood cannot fill the disk.
    void log_refusal(caller from, std::string_view reason);

private:
    std::optional<reply> limit(const principal& who);

    const core::clock& clock_;
    metrics& metrics_;
    std::shared_ptr<const deployment> deployment_;
    core::rate_limiter limiter_{0, 0};
    core::rate_limiter refusal_log_limiter_{1, 20};
    std::uint64_t refusals_unlogged_ = 0;
};

/// A client-chosen string made safe for one log line: the query dropped, at
/// most 200 bytes, anything but printable ASCII as '?'.
std::string loggable(std::string_view s);

} // namespace opel::service
