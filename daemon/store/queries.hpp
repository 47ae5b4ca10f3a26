#pragma once
// Read queries over the store, run on the reader thread's connection.

#include "core/event.hpp"
#include "core/types.hpp"
#include "store/sqlite.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opel::store {

/// Filters for listing submissions, newest first.
struct submission_filter {
    std::optional<std::string> practice;
    std::optional<core::time_point> since; ///< reported_at >= since
    std::optional<core::time_point> until; ///< reported_at < until
    /// Resume after this (reported_at, id): the previous page's last row.
    std::optional<std::pair<core::time_point, std::int64_t>> after;
    std::size_t limit = 1000;
};

/// Submissions matching `f`, newest first, at most `f.limit`.
std::vector<core::submission> list_submissions(sqlite::db& db, const submission_filter& f);

/// Every submission in reported_at order (for rebuilding state at start).
std::vector<core::submission> all_submissions(sqlite::db& db);

/// Events with seq > `since` whose topic starts with `prefix`, at most `limit`.
std::vector<core::event> events_since(sqlite::db& db, std::int64_t since,
                                      const std::string& prefix, std::size_t limit);

} // namespace opel::store
