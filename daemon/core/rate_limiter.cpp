// Token-bucket rate limiting keyed by string (a token's name or digest). Time
// is an argument, so tests drive it; memory stays bounded because a bucket that
// has refilled to its burst is indistinguishable from a new one and can be
// forgotten, which prune() does once the map grows past a threshold.
#include "core/rate_limiter.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>

namespace opel::core {

namespace {

// Pruning is skipped below this many buckets; the threshold then doubles with
// the live set so that pruning costs amortised O(1) per take().
constexpr std::size_t min_prune_at = 1024;

// About a year: longer waits are reported as this.
constexpr double max_wait_us = 3.2e13;

double clean_rate(double rate) {
    return rate > 0 && std::isfinite(rate) ? rate : 0.0;
}
double clean_burst(double burst) {
    return burst >= 1 && std::isfinite(burst) ? burst : 1.0;
}

} // namespace

rate_limiter::rate_limiter(double rate, double burst)
    : rate_(clean_rate(rate)), burst_(clean_burst(burst)), prune_at_(min_prune_at) {}

void rate_limiter::refill(bucket& b, time_point now) const {
    // A clock that steps back gives no tokens and does not rewind the bucket.
    if (now <= b.updated) return;
    const double elapsed = std::chrono::duration<double>(now - b.updated).count();
    b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
    b.updated = now;
}

std::optional<std::chrono::microseconds> rate_limiter::take(std::string_view key, time_point now) {
    if (rate_ == 0) return std::nullopt;
    auto it = buckets_.find(key);
    if (it == buckets_.end()) {
        if (buckets_.size() >= prune_at_) prune(now);
        it = buckets_.emplace(std::string(key), bucket{burst_, now}).first;
    }
    bucket& b = it->second;
    refill(b, now);
    if (b.tokens >= 1) {
        b.tokens -= 1;
        return std::nullopt;
    }
    // Capped so a tiny configured rate cannot overflow the integer conversion.
    const double wait_us = std::clamp(std::ceil((1 - b.tokens) / rate_ * 1e6), 1.0, max_wait_us);
    return std::chrono::microseconds{static_cast<std::int64_t>(wait_us)};
}

void rate_limiter::reconfigure(double rate, double burst) {
    rate_ = clean_rate(rate);
    burst_ = clean_burst(burst);
    for (auto& [key, b] : buckets_)
        b.tokens = std::min(b.tokens, burst_);
}

void rate_limiter::prune(time_point now) {
    for (auto it = buckets_.begin(); it != buckets_.end();) {
        refill(it->second, now);
        it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
    }
    prune_at_ = std::max(min_prune_at, buckets_.size() * 2);
}

} // namespace opel::core
