#pragma once
// Read queries over the store, run on the reader thread's connection.

#include "core/event.hpp"
#include "core/types.hpp"
#include "store/sqlite.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <span>
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

/// For each of `practices` (in order), its latest submission with reported_at
/// at or before `as_of` (ties: the higher id), or nullopt.
std::vector<std::optional<core::submission>> latest_as_of(sqlite::db& db,
                                                          std::span<const core::practice> practices,
                                                          core::time_point as_of);

/// Every submission with from <= reported_at < to, oldest first.
std::vector<core::submission> submissions_between(sqlite::db& db, core::time_point from,
                                                  core::time_point to);

/// The reports of practice `code` with from <= reported_at < to, oldest first
/// (ties: by id), for a practice's history.
std::vector<core::submission> practice_submissions_between(sqlite::db& db, const std::string& code,
                                                           core::time_point from,
                                                           core::time_point to);

/// The stored daily summary of `date` (YYYY-MM-DD) as JSON text, if any.
std::optional<std::string> summary_of(sqlite::db& db, const std::string& date);

/// The latest stored daily summary dated before `date`, as JSON text, if any.
std::optional<std::string> summary_before(sqlite::db& db, const std::string& date);

/// The latest date (YYYY-MM-DD) with a stored daily summary, if any.
std::optional<std::string> last_summary_date(sqlite::db& db);

/// The stored JSON of every alert not resolved about `subject` in `scope`, by id.
std::vector<std::string> open_alert_rows_about(sqlite::db& db, const std::string& scope,
                                               const std::string& subject);

/// The stored JSON of every alert not resolved, by id.
std::vector<std::string> open_alert_rows(sqlite::db& db);

/// Which alerts `alert_rows` lists.
struct alert_filter {
    bool resolved = false;      ///< resolved ones too (state=all)
    std::int64_t since_seq = 0; ///< only those changed after this seq (0: any)
    bool inhibited = true;      ///< inhibited ones too (inhibited=false hides them)
};

/// The JSON of the alerts `f` selects, by id.
std::vector<std::string> alert_rows(sqlite::db& db, const alert_filter& f);

/// The JSON of every alert that was open (created, not yet resolved) at `at`,
/// by id; each as it stands now.
std::vector<std::string> alert_rows_open_at(sqlite::db& db, core::time_point at);

/// The stored summary of exactly `date` (YYYY-MM-DD), if one was built.
std::optional<std::string> summary_on(sqlite::db& db, const std::string& date);

/// The stored JSON of every alert, resolved ones too, by id (for a restart).
std::vector<std::string> all_alert_rows(sqlite::db& db);

/// The stored JSON of every silence not expired, by id; with `ending_after`,
/// only those that end after it (the ones in force or yet to start).
std::vector<std::string> silence_rows(sqlite::db& db,
                                      std::optional<core::time_point> ending_after = {});

/// Forgets the idempotency keys stored before `before`.
void prune_idempotency(sqlite::db& db, core::time_point before);

/// The notes of the submissions `ids` that have one, by id (ids not found or
/// without a note are left out).
std::map<std::int64_t, std::string> submission_notes(sqlite::db& db,
                                                     std::span<const std::int64_t> ids);

} // namespace opel::store
