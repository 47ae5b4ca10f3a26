#pragma once
// The outbox: the `outbox`, `failed_deliveries` and `subscriber_standing`
// tables behind typed calls. A pending delivery is a row written in the
// transaction that appends its event, so a committed event always has its
// deliveries and a rolled-back one never has any. Every statement that
// touches those tables is here.

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

/// One pending delivery as read from the outbox, its body already built. A
/// delivery is named by its subscriber and its event's seq.
struct outbox_row {
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

/// Records the deliveries of `subscriber` from `from_seq` to `seq` (one POST
/// or digest) delivered now: their rows are deleted and the subscriber's
/// last success is now. Two statements, however many rows the POST took.
void mark_delivered(transaction& tx, const std::string& subscriber, std::int64_t from_seq,
                    std::int64_t seq);

/// Counts a failed attempt at the delivery of `seq` to `subscriber`: due
/// again after `wait`; failed for good when `give_up_after` has passed since
/// it was created.
void mark_attempt_failed(transaction& tx, const std::string& subscriber, std::int64_t seq,
                         const std::string& error, std::chrono::milliseconds wait,
                         std::chrono::milliseconds give_up_after);

/// Gives the delivery of `seq` to `subscriber` up as failed with `why`; with
/// `keep_error`, an earlier attempt's error stays the one shown.
void give_up_delivery(transaction& tx, const std::string& subscriber, std::int64_t seq,
                      const std::string& why, bool keep_error);

/// Marks failed "subscriber removed" (at `now`) the pending rows of every
/// subscriber not in `keep`; returns the names whose rows were dropped.
std::vector<std::string> drop_removed_subscribers(sqlite::db& db,
                                                  const std::set<std::string>& keep,
                                                  core::time_point now);

/// Deletes the failed deliveries created before `before`; returns how many.
int prune_failed_deliveries(transaction& tx, core::time_point before);

/// When the last delivery to `subscriber` was made, in microseconds, if any.
std::optional<std::int64_t> last_delivery(sqlite::db& db, const std::string& subscriber);

/// How many deliveries of `subscriber` are pending.
std::int64_t pending_deliveries(sqlite::db& db, const std::string& subscriber);

/// The first failure of `subscriber` since its last success, taken as the
/// creation of the oldest delivery that has failed since, if any.
std::optional<core::time_point> failing_since(sqlite::db& db, const std::string& subscriber);

/// Counts, last success and last error of `subscriber`.
outbox_standing read_standing(sqlite::db& db, const std::string& subscriber);

} // namespace opel::store
