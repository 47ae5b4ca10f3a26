#pragma once
// What the sender tells the alerting side about a subscriber's health: the
// `webhook-failing` admin alert is raised and resolved from these.

#include "core/clock.hpp"

#include <chrono>
#include <cstdint>
#include <string>

namespace opel::webhook {

/// How long a subscriber fails, with no 2xx in between, before the admin
/// alert is raised.
inline constexpr std::chrono::hours failing_alert_after{1};

/// A change in a subscriber's health.
struct health {
    std::string subscriber;
    bool failing = false;     ///< true: failing for an hour; false: a 2xx came
    core::time_point since{}; ///< failing: the first failure since the last 2xx
    std::string last_error;   ///< failing: the latest attempt's error
    std::int64_t pending = 0; ///< failing: deliveries waiting
};

} // namespace opel::webhook
