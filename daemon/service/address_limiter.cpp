// Per-address token buckets; idle addresses are forgotten once a minute, so a
// flood from many addresses costs memory only while it lasts.
#include "service/address_limiter.hpp"

namespace opel::service {

void address_limiter::configure(const config::address_limits_config& l) {
    buckets_.reconfigure(l.rate, l.burst);
    exempt_ = {l.exempt.begin(), l.exempt.end()};
}

std::optional<reply> address_limiter::take(const std::string& peer) {
    if (exempt_.contains(peer))
        return std::nullopt;
    const auto now = clock_.now();
    if (now - last_expiry_ >= std::chrono::minutes(1) || now < last_expiry_) {
        buckets_.expire(now);
        last_expiry_ = now;
    }
    const auto wait = buckets_.take(peer, now);
    if (!wait)
        return std::nullopt;
    ++limited_;
    return rate_limited(*wait, "from this address");
}

} // namespace opel::service
