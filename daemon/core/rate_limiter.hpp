#pragma once
// Per-key token buckets for the `limits` section: authenticated calls per token.

#include "core/types.hpp"

#include <chrono>
#include <functional>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace opel::core {

/// A token bucket per key: `rate` tokens a second, holding at most `burst`.
/// Pure (the time is passed in) and not thread-safe: one thread owns it.
class rate_limiter {
public:
    /// Buckets of `rate` tokens per second and capacity `burst`; rate 0 turns
    /// limiting off; a burst below 1 counts as 1 so a request can ever pass.
    rate_limiter(double rate, double burst);

    /// Takes a token for `key` at `now`: nullopt if allowed, else how long until
    /// one is available (at least 1 µs). A refused call takes nothing.
    std::optional<std::chrono::microseconds> take(std::string_view key, time_point now);

    /// New rate and burst (on reload); existing buckets keep what they hold, capped
    /// at the new burst.
    void reconfigure(double rate, double burst);

    /// Forgets every bucket that has refilled to its burst (idle long enough to
    /// be indistinguishable from a new one), so a table keyed by something a
    /// client chooses, such as its address, stays bounded.
    void expire(time_point now) { prune(now); }

    /// The number of buckets held (for tests and metrics).
    std::size_t size() const { return buckets_.size(); }

private:
    struct bucket {
        double tokens = 0;
        time_point updated{};
    };

    /// Lets find() take a string_view without building a std::string.
    struct key_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const {
            return std::hash<std::string_view>{}(s);
        }
    };

    void refill(bucket& b, time_point now) const;
    void prune(time_point now);

    double rate_;
    double burst_;
    std::unordered_map<std::string, bucket, key_hash, std::equal_to<>> buckets_;
    std::size_t prune_at_;
};

} // namespace opel::core
