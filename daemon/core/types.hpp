#pragma once
// The domain's plain values: practices, submissions, roles. No I/O here.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opel::core {

/// Every time the daemon keeps: UTC, microsecond resolution.
using time_point = std::chrono::sys_time<std::chrono::microseconds>;

/// A GP practice from the practices file.
struct practice {
    std::string code;  ///< ODS code: a letter and five digits
    std::string name;
    std::string pcn;   ///< PCN name
    std::string place; ///< place id (city, county, rutland in LLR)
    int list_size = 0; ///< registered patients; 0 when the practices file gives none
};

/// Who a bearer token speaks for.
enum class role { practice, team, control_room, admin };

/// A practice's report of its level, as validated from a request.
struct submission {
    std::int64_t id = 0;          ///< stamped by the store; 0 until stored
    std::string practice;         ///< practice code
    int level = 0;                ///< 1..4
    std::vector<std::string> themes;
    std::optional<std::string> note;
    std::optional<std::string> support_requested;
    std::optional<std::string> idempotency_key;
    time_point received_at{};     ///< stamped by the server
    time_point reported_at{};     ///< equal to received_at unless imported
};

} // namespace opel::core
