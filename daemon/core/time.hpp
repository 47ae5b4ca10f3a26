#pragma once
// RFC 3339 timestamps in and out; the one place that spells time as text.

#include "core/types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace opel::core {

/// `t` as RFC 3339 UTC with microseconds: 2026-11-28T09:00:00.000000Z.
std::string format_time(time_point t);

/// Parses an RFC 3339 date-time with a `Z` or `±hh:mm` offset and optional
/// fraction; nullopt when `s` is not one.
std::optional<time_point> parse_time(std::string_view s);

/// `t` as microseconds since the Unix epoch: how the store and the outbox
/// keep times.
constexpr std::int64_t to_micros(time_point t) { return t.time_since_epoch().count(); }

/// A duration in whole microseconds (a wait, a give-up time).
template <class Rep, class Period>
constexpr std::int64_t to_micros(std::chrono::duration<Rep, Period> d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// The time `us` microseconds after the Unix epoch; the inverse of to_micros.
constexpr time_point from_micros(std::int64_t us) {
    return time_point{std::chrono::microseconds{us}};
}

} // namespace opel::core
