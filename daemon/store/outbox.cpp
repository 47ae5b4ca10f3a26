// The outbox's statements. `outbox` holds the pending deliveries only, keyed
// by (subscriber, seq): a delivered row is deleted in the transaction that
// records its delivery, and a given-up one moves to `failed_deliveries`. A
// subscriber's last success and last error are a row of
// `subscriber_standing`. A row holds no copy of the body: the body is the
// Event JSON, rebuilt from the event's own row (never deleted, written in the
// same transaction) when it is read, with the same function as every other
// channel, so each attempt, a day later or after a restart, sends the same
// bytes and the same signature. A row that does hold a body (from before
// schema version 4) is sent as it is.
#include "store/outbox.hpp"

#include "core/time.hpp"

#include <limits>

namespace opel::store {

namespace {

constexpr const char* select_pending =
    "SELECT o.seq, o.body, o.created_at, o.next_at, o.attempts, e.topic, e.time, e.data, "
    "o.topic FROM outbox o LEFT JOIN events e ON e.seq = o.seq AND o.body = '' "
    "WHERE o.subscriber = ?1 AND o.seq > ?2 ORDER BY o.seq LIMIT ?3";

template <class Statement>
outbox_row row_from(Statement& st) {
    outbox_row r{st.int64(0), st.text(8), st.text(1), st.int64(2), st.int64(3),
                 static_cast<int>(st.int64(4))};
    if (r.body.empty() && !st.is_null(5))
        r.body = core::event_json(core::event{
            r.seq, st.text(5), core::from_micros(st.int64(6)),
            st.text(7)});
    return r;
}

/// The subscriber's last error is `error`, at `at`.
void note_error(sqlite::db& db, const std::string& subscriber, const std::string& error,
                std::int64_t at) {
    db.cached("INSERT INTO subscriber_standing (subscriber, last_error, error_at) "
              "VALUES (?1, ?2, ?3) ON CONFLICT (subscriber) DO UPDATE SET "
              "last_error = excluded.last_error, error_at = excluded.error_at")
        ->bind(1, subscriber).bind(2, error).bind(3, at).run();
}

/// Moves the pending rows of `subscriber` with seq from `from` to `to` to
/// `failed_deliveries`, with `why` as their error at `now` (or, with
/// `keep_error`, only where they have none).
void move_to_failed(sqlite::db& db, const std::string& subscriber, std::int64_t from,
                    std::int64_t to, const std::string& why, bool keep_error, std::int64_t now) {
    auto move = db.cached(
        "INSERT OR REPLACE INTO failed_deliveries (subscriber, seq, topic, created_at, "
        "attempts, last_error, error_at) SELECT subscriber, seq, topic, created_at, attempts, "
        "CASE WHEN ?4 AND last_error IS NOT NULL THEN last_error ELSE ?5 END, "
        "CASE WHEN ?4 AND last_error IS NOT NULL THEN error_at ELSE ?6 END FROM outbox "
        "WHERE subscriber = ?1 AND seq BETWEEN ?2 AND ?3");
    move->bind(1, subscriber).bind(2, from).bind(3, to).bind(4, keep_error ? 1 : 0);
    move->bind(5, why).bind(6, now).run();
    db.cached("DELETE FROM outbox WHERE subscriber = ?1 AND seq BETWEEN ?2 AND ?3")
        ->bind(1, subscriber).bind(2, from).bind(3, to).run();
}

} // namespace

void queue_delivery(transaction& tx, const std::string& subscriber, const core::event& e) {
    auto st = tx.db().cached(
        "INSERT OR IGNORE INTO outbox (subscriber, seq, topic, body, created_at, next_at) "
        "VALUES (?1, ?2, ?3, '', ?4, ?4)");
    st->bind(1, subscriber).bind(2, e.seq).bind(3, e.topic).bind(4, core::to_micros(tx.now()));
    st->run();
}

std::vector<outbox_row> pending_rows(sqlite::db& db, const std::string& subscriber,
                                     std::int64_t after_seq, std::size_t limit) {
    std::vector<outbox_row> out;
    auto st = db.cached(select_pending);
    st->bind(1, subscriber).bind(2, after_seq).bind(3, static_cast<std::int64_t>(limit));
    while (st->step())
        out.push_back(row_from(*st));
    return out;
}

void mark_delivered(transaction& tx, const std::string& subscriber, std::int64_t from_seq,
                    std::int64_t seq) {
    tx.db().cached("DELETE FROM outbox WHERE subscriber = ?1 AND seq BETWEEN ?2 AND ?3")
        ->bind(1, subscriber).bind(2, from_seq).bind(3, seq).run();
    // A POST that was in flight when its subscriber was removed (its rows
    // failed as "subscriber removed") and succeeded after all: delivered.
    tx.db().cached("DELETE FROM failed_deliveries WHERE subscriber = ?1 AND seq BETWEEN ?2 "
                   "AND ?3")
        ->bind(1, subscriber).bind(2, from_seq).bind(3, seq).run();
    tx.db().cached("INSERT INTO subscriber_standing (subscriber, delivered_at) VALUES (?1, ?2) "
                   "ON CONFLICT (subscriber) DO UPDATE SET delivered_at = excluded.delivered_at")
        ->bind(1, subscriber).bind(2, core::to_micros(tx.now())).run();
}

void mark_attempt_failed(transaction& tx, const std::string& subscriber, std::int64_t seq,
                         const std::string& error, std::chrono::milliseconds wait,
                         std::chrono::milliseconds give_up_after) {
    const auto now = core::to_micros(tx.now());
    auto st = tx.db().cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?3, error_at = ?4, "
        "next_at = ?5 WHERE subscriber = ?1 AND seq = ?2 RETURNING created_at");
    st->bind(1, subscriber).bind(2, seq).bind(3, error).bind(4, now);
    st->bind(5, now + core::to_micros(wait));
    if (!st->step())
        return; // not pending (delivered or given up meanwhile)
    const auto created_at = st->int64(0);
    st->reset();
    note_error(tx.db(), subscriber, error, now);
    // A failure a day after the event is the last one: no retry is due.
    if (now - created_at >= core::to_micros(give_up_after))
        move_to_failed(tx.db(), subscriber, seq, seq, error, true, now);
}

void give_up_delivery(transaction& tx, const std::string& subscriber, std::int64_t seq,
                      const std::string& why, bool keep_error) {
    // Kept, an earlier attempt's error was the subscriber's when it
    // happened; a row given up with none (held by a digest's quiet hours,
    // or the daemon down for a day) shows why it was given up.
    auto had = tx.db().cached("SELECT last_error IS NOT NULL FROM outbox WHERE subscriber = ?1 "
                              "AND seq = ?2");
    had->bind(1, subscriber).bind(2, seq);
    if (!had->step())
        return; // not pending (delivered or given up meanwhile)
    const bool had_error = had->int64(0) != 0;
    had->reset();
    const auto now = core::to_micros(tx.now());
    move_to_failed(tx.db(), subscriber, seq, seq, why, keep_error, now);
    if (!keep_error || !had_error)
        note_error(tx.db(), subscriber, why, now);
}

std::vector<std::string> drop_removed_subscribers(sqlite::db& db,
                                                  const std::set<std::string>& keep,
                                                  core::time_point now) {
    std::vector<std::string> gone;
    auto names = db.prepare("SELECT DISTINCT subscriber FROM outbox");
    while (names.step())
        if (!keep.contains(names.text(0)))
            gone.push_back(names.text(0));
    names.reset();
    if (gone.empty())
        return gone;
    // One transaction, whether called in the writer's or at start on its
    // own: a savepoint nests in the one and begins one in the other.
    db.exec("SAVEPOINT drop_removed");
    try {
        for (const auto& name : gone) {
            move_to_failed(db, name, 0, std::numeric_limits<std::int64_t>::max(),
                           "subscriber removed", false, core::to_micros(now));
            note_error(db, name, "subscriber removed", core::to_micros(now));
        }
    } catch (...) {
        db.exec("ROLLBACK TO drop_removed; RELEASE drop_removed");
        throw;
    }
    db.exec("RELEASE drop_removed");
    return gone;
}

int prune_failed_deliveries(transaction& tx, core::time_point before) {
    auto st = tx.db().prepare("DELETE FROM failed_deliveries WHERE created_at < ?1");
    st.bind(1, core::to_micros(before)).run();
    return tx.db().changes();
}

std::optional<std::int64_t> last_delivery(sqlite::db& db, const std::string& subscriber) {
    auto st = db.cached("SELECT delivered_at FROM subscriber_standing WHERE subscriber = ?1");
    st->bind(1, subscriber);
    if (st->step() && !st->is_null(0))
        return st->int64(0);
    return std::nullopt;
}

std::int64_t pending_deliveries(sqlite::db& db, const std::string& subscriber) {
    auto st = db.prepare("SELECT count(*) FROM outbox WHERE subscriber = ?1");
    st.bind(1, subscriber);
    return st.step() ? st.int64(0) : 0;
}

std::optional<core::time_point> failing_since(sqlite::db& db, const std::string& subscriber) {
    auto st = db.prepare(
        "SELECT min(created_at) FROM (SELECT created_at FROM outbox WHERE subscriber = ?1 AND "
        "attempts > 0 UNION ALL SELECT created_at FROM failed_deliveries WHERE subscriber = ?1 "
        "AND attempts > 0) WHERE created_at >= coalesce((SELECT delivered_at FROM "
        "subscriber_standing WHERE subscriber = ?1), 0)");
    st.bind(1, subscriber);
    if (st.step() && !st.is_null(0))
        return core::from_micros(st.int64(0));
    return std::nullopt;
}

outbox_standing read_standing(sqlite::db& db, const std::string& subscriber) {
    outbox_standing s;
    auto counts = db.prepare(
        "SELECT (SELECT count(*) FROM outbox WHERE subscriber = ?1), "
        "(SELECT count(*) FROM failed_deliveries WHERE subscriber = ?1), "
        "(SELECT min(created_at) FROM outbox WHERE subscriber = ?1)");
    counts.bind(1, subscriber);
    if (counts.step()) {
        s.pending = counts.int64(0);
        s.failed = counts.int64(1);
        if (!counts.is_null(2))
            s.oldest_pending = counts.int64(2);
    }
    auto standing = db.prepare("SELECT delivered_at, last_error, error_at FROM "
                               "subscriber_standing WHERE subscriber = ?1");
    standing.bind(1, subscriber);
    if (standing.step()) {
        if (!standing.is_null(0))
            s.last_success = standing.int64(0);
        s.last_error = standing.optional_text(1);
        if (!standing.is_null(2))
            s.last_error_at = standing.int64(2);
    }
    return s;
}

} // namespace opel::store
