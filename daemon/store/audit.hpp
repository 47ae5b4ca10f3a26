#pragma once
// The audit log: who changed what, when, and how it went. Entries are written
// in the transaction of the change they record, so one is there exactly when
// the change is.

#include "core/types.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opel::store {

/// One entry of the audit log.
struct audit_entry {
    std::int64_t id = 0;       ///< assigned on insert, increasing
    core::time_point at{};     ///< the transaction's time
    std::string actor;         ///< the token's name, or "opeld" for the daemon itself
    std::string role;          ///< the token's role, or "system"
    std::string action;        ///< "alert.ack", "silence.add", "import", ...
    std::string target;        ///< what it acted on: an alert id, a date, ...
    int status = 200;          ///< the HTTP status it was answered with
    std::string detail = "{}"; ///< a JSON object: the note, the error code, counts
};

/// Appends `e` (its id and time are the transaction's) and returns its id.
std::int64_t record_audit(transaction& tx, audit_entry e);

/// Entries with id above `since_id` and time at or after `since`, oldest
/// first, at most `limit`.
std::vector<audit_entry> audit_since(sqlite::db& db, std::int64_t since_id,
                                     std::optional<core::time_point> since, std::size_t limit);

} // namespace opel::store
