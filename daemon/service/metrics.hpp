#pragma once
// The daemon's counters and their Prometheus text rendering. Counters are
// atomics, bumped from whichever thread does the work.

#include "store/store.hpp"
#include "webhook/metrics.hpp"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

namespace opel::service {

/// Process-wide counters (one instance, owned by the app).
struct metrics {
    /// Submissions answered, by status class: index = status / 100 (2..5), and
    /// the few statuses worth telling apart get their own slot.
    std::atomic<std::uint64_t> accepted{0};     ///< 201
    std::atomic<std::uint64_t> replayed{0};     ///< 201 from an idempotency key
    std::atomic<std::uint64_t> invalid{0};      ///< 400, 413, 415, 422
    std::atomic<std::uint64_t> unauthorised{0}; ///< 401, 403
    std::atomic<std::uint64_t> conflict{0};     ///< 409
    std::atomic<std::uint64_t> limited{0};      ///< 429
    std::atomic<std::uint64_t> unavailable{0};  ///< 503
    std::atomic<std::int64_t> open_connections{0};
    std::atomic<std::uint64_t> http_requests{0};
    std::atomic<std::uint64_t> http_accept_failures{0}; ///< accept() failed (out of descriptors)
    std::atomic<std::uint64_t> address_limited{0}; ///< 429 from the per-address limit
    std::atomic<std::uint64_t> auth_failures{0};   ///< 401 and 403 on any call
    std::atomic<std::uint64_t> events_published{0};
    std::atomic<std::int64_t> sse_clients{0};
    webhook::delivery_metrics webhooks; ///< deliveries by subscriber and result, latency

    /// Counts one submission answered with `status` (`replayed` for a replay).
    void count_submission(int status, bool was_replayed);
};

/// The Prometheus text exposition of `m` and the store's counters.
std::string render_metrics(const metrics& m, const store::store_metrics& s);

} // namespace opel::service
