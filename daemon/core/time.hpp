#pragma once
// RFC 3339 timestamps in and out; the one place that spells time as text.

#include "core/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace opel::core {

/// `t` as RFC 3339 UTC with microseconds: 2026-11-28T09:00:00.000000Z.
std::string format_time(time_point t);

/// Parses an RFC 3339 date-time with a `Z` or `±hh:mm` offset and optional
/// fraction; nullopt when `s` is not one.
std::optional<time_point> parse_time(std::string_view s);

} // namespace opel::core
