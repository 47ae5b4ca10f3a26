#pragma once
// The outbox: the deliveries table behind typed calls. A delivery is a row
// written in the transaction that appends its event, so a committed event
// always has its deliveries and a rolled-back one never has any. Every
// statement that touches `deliveries` is here.

#include "core/clock.hpp"
#include "core/event.hpp"
#include "store/store.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace opel::store {

/// One pending delivery as read from the outbox, its body already built.
struct outbox_row {
    std::int64_t id = 0;
    std::int64_t seq = 0;
    std::string topic;
    std::string body;            ///< the Event JSON; empty when the event is not in the log
    std::int64_t created_at = 0; ///< microseconds since the epoch
    std::int64_t next_at = 0;    ///< microseconds since the epoch: not before
    int attempts = 0;
};

/// What the outbox says about one subscriber.
struct outbox_standing {
    std::int64_t pending = 0;
    std::int64_t failed = 0;
    std::optional<std::int64_t> oldest_pending; ///< created_at, microseconds
    std::optional<std::int64_t> last_success;   ///< delivered_at, microseconds
    std::optional<std::string> last_error;
    std::optional<std::int64_t> last_error_at;  ///< microseconds
};

/// Queues one pending delivery of `e` to `subscriber`, due at once (once per
/// subscriber and seq).
void queue_delivery(transaction& tx, const std::string& subscriber, const core::event& e);

/// The pending deliveries of `subscriber` with seq above `after_seq`, lowest
/// first, at most `limit`.
std::vector<outbox_row> pending_rows(sqlite::db& db, const std::string& subscriber,
                                     std::int64_t after_seq, std::size_t limit);

/// Marks delivery `id` (of `subscriber`, at `seq`) delivered now, with the
/// subscriber's pending rows from `from_seq` below it (the rest of the same
/// POST or digest: deleted), and drops its older delivered rows: the outbox
/// keeps only its last success. At most one UPDATE and two DELETEs, however
/// many rows the POST took.
void mark_delivered(transaction& tx, std::int64_t id, const std::string& subscriber,
                    std::int64_t seq, std::int64_t from_seq);

/// Counts a failed attempt at delivery `id`: due again after `wait`; failed
/// for good when `give_up_after` has passed since it was created.
void mark_attempt_failed(transaction& tx, std::int64_t id, const std::string& error,
                         std::chrono::milliseconds wait, std::chrono::milliseconds give_up_after);

/// Gives delivery `id` up as failed with `why`; with `keep_error`, an
/// earlier attempt's error stays the one shown.
void give_up_delivery(transaction& tx, std::int64_t id, const std::string& why, bool keep_error);

/// Marks failed "subscriber removed" the pending rows of every subscriber
/// not in `keep`; returns the names whose rows were dropped.
std::vector<std::string> drop_removed_subscribers(sqlite::db& db,
                                                  const std::set<std::string>& keep);

/// Deletes the failed deliveries created before `before`; returns how many.
int prune_failed_deliveries(transaction& tx, core::time_point before);

/// When the last delivery to `subscriber` was made, in microseconds, if any
/// is still recorded (the outbox keeps the last one).
std::optional<std::int64_t> last_delivery(sqlite::db& db, const std::string& subscriber);

/// How many deliveries of `subscriber` are pending.
std::int64_t pending_deliveries(sqlite::db& db, const std::string& subscriber);

/// The first failure of `subscriber` since its last success, taken as the
/// creation of the oldest delivery that has failed since, if any.
std::optional<core::time_point> failing_since(sqlite::db& db, const std::string& subscriber);

/// Counts, last success and last error of `subscriber`.
outbox_standing read_standing(sqlite::db& db, const std::string& subscriber);

} // namespace opel::store
