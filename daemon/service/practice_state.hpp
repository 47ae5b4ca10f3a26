#pragma once
// The latest report of every practice, kept in memory for /v1/status and the
// summary. Written by the store's writer after each commit, read by any thread.

#include "core/system_level.hpp"
#include "core/types.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

namespace opel::service {

/// What `/v1/status` reads of a practice's latest report (its note, support
/// request and idempotency key are not kept: a whole submission a practice
/// was a quarter of a kilobyte before its note).
struct standing {
    std::int64_t id = 0;
    int level = 0;
    std::vector<std::string> themes;
    core::time_point reported_at{};
};

/// The latest report of each practice.
class practice_state {
public:
    /// Takes `s` as the practice's latest if it is newer than the one held.
    void record(const core::submission& s);
    /// Forgets everything (before a reload from disk).
    void clear();
    /// A copy of every latest report.
    std::unordered_map<std::string, standing> snapshot() const;

private:
    mutable std::mutex mu_;
    std::unordered_map<std::string, standing> latest_;
};

/// `GET /v1/status`: `{as_of, system, places, pcns, practices}` for `practices`
/// as of `now`. `places` (keyed by place id) and `pcns` (by PCN name) are
/// groups in the shape of `system`, their levels by the same thresholds.
boost::json::object status_json(const std::vector<core::practice>& practices,
                                const std::unordered_map<std::string, standing>& latest,
                                core::time_point now, std::chrono::hours stale_after,
                                const core::system_thresholds& thresholds);

} // namespace opel::service
