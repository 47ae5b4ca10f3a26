#pragma once
// Support items and escalations on disk. Writes go through the write
// transaction of the change (with its event and audit entry); reads run on
// whichever connection the caller holds.

#include "core/support.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace opel::store {

/// Inserts `item` (its id is assigned) and returns the id.
std::int64_t insert_support(transaction& tx, const core::support_item& item);
/// Rewrites the state, note, updated_at and history of the stored item `item.id`.
void update_support(transaction& tx, const core::support_item& item);
/// The item `id`, if stored.
std::optional<core::support_item> find_support(sqlite::db& db, std::int64_t id);

/// Which support items to list.
struct support_filter {
    std::optional<std::string> practice; ///< only this practice's
    bool open_only = true;               ///< offered, agreed or in_place only
};
/// The items matching `f`, oldest first.
std::vector<core::support_item> list_support(sqlite::db& db, const support_filter& f);
/// Every item created at or before `t` that was open at `t` or changed after
/// it (the caller asks each for its state at `t`), oldest first.
std::vector<core::support_item> support_around(sqlite::db& db, core::time_point t);
/// Every item created in [from, to), oldest first.
std::vector<core::support_item> support_created_between(sqlite::db& db, core::time_point from,
                                                        core::time_point to);

/// The id of the practice's open practice alert that support answers: the
/// highest level, the one not inhibited, the latest; nullopt when none is open.
std::optional<std::int64_t> open_alert_of(sqlite::db& db, const std::string& practice);

/// Inserts `e` (its id is assigned) and returns the id.
std::int64_t insert_escalation(transaction& tx, const core::escalation& e);
/// The escalations created in [from, to), oldest first.
std::vector<core::escalation> escalations_between(sqlite::db& db, core::time_point from,
                                                  core::time_point to);
/// The latest escalation, if any.
std::optional<core::escalation> latest_escalation(sqlite::db& db);

} // namespace opel::store
