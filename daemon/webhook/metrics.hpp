#pragma once
// Webhook delivery counters for /metrics: attempts by result and the time
// from an event to its 2xx, per subscriber. Bumped on the io thread, read by
// the /metrics handler; a mutex, since a map of labels is not an atomic.

#include <array>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <ostream>
#include <string>

namespace opel::webhook {

/// How one attempt ended, as counted.
enum class result {
    delivered, ///< a 2xx answer
    retried,   ///< failed; another attempt is due later
    failed,    ///< given up: 24 hours without a 2xx
};

/// The delivery counters of every subscriber seen since start.
class delivery_metrics {
public:
    /// Upper bounds of the latency buckets, in seconds.
    static constexpr std::array<double, 12> bounds{0.001, 0.005, 0.01, 0.05, 0.1,  0.5,
                                                   1,     5,     60,   300,  3600, 86400};

    /// Counts one attempt to `subscriber` that ended in `r`.
    void count(const std::string& subscriber, result r);
    /// Records a delivery made `latency` after its event (counts it delivered too).
    void delivered(const std::string& subscriber, std::chrono::microseconds latency);
    /// Appends the Prometheus text of the counters to `out`.
    void render(std::ostream& out) const;

private:
    struct per_subscriber {
        std::array<std::uint64_t, 3> results{};              ///< by result
        std::array<std::uint64_t, bounds.size() + 1> buckets{}; ///< last: +Inf
        double latency_sum = 0;                              ///< seconds
    };
    mutable std::mutex mu_;
    std::map<std::string, per_subscriber> by_subscriber_;
};

} // namespace opel::webhook
