// The outbox's statements. A row holds no copy of the body: the body is the
// Event JSON, rebuilt from the event's own row (never deleted, written in the
// same transaction) when it is read, with the same function as every other
// channel, so each attempt, a day later or after a restart, sends the same
// bytes and the same signature. A row that does hold a body (from before
// schema version 4) is sent as it is.
#include "store/outbox.hpp"

#include "core/time.hpp"

namespace opel::store {

namespace {

constexpr const char* select_pending =
    "SELECT d.id, d.seq, d.body, d.created_at, d.next_at, d.attempts, e.topic, e.time, e.data, "
    "d.topic FROM deliveries d LEFT JOIN events e ON e.seq = d.seq AND d.body = '' "
    "WHERE d.state = 'pending' AND d.subscriber = ?1 AND d.seq > ?2 ORDER BY d.seq LIMIT ?3";

template <class Statement>
outbox_row row_from(Statement& st) {
    outbox_row r{st.int64(0), st.int64(1), st.text(9), st.text(2), st.int64(3), st.int64(4),
                 static_cast<int>(st.int64(5))};
    if (r.body.empty() && !st.is_null(6))
        r.body = core::event_json(core::event{
            r.seq, st.text(6), core::from_micros(st.int64(7)),
            st.text(8)});
    return r;
}

} // namespace

void queue_delivery(transaction& tx, const std::string& subscriber, const core::event& e) {
    auto st = tx.db().cached(
        "INSERT OR IGNORE INTO deliveries (subscriber, seq, topic, body, created_at, next_at) "
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

void mark_delivered(transaction& tx, std::int64_t id, const std::string& subscriber,
                    std::int64_t seq, std::int64_t from_seq) {
    tx.db().cached("UPDATE deliveries SET state = 'delivered', attempts = "
                   "attempts + 1, delivered_at = ?2 WHERE id = ?1")
        ->bind(1, id).bind(2, core::to_micros(tx.now())).run();
    // The rest of a batch or digest: delivered with it. A statement of its
    // own, not a `state IN (...)` in the next one: that form costs SQLite
    // about 40 k instructions more a delivery.
    if (from_seq < seq)
        tx.db().cached("DELETE FROM deliveries WHERE state = 'pending' AND subscriber = ?1 "
                       "AND seq >= ?2 AND seq < ?3")
            ->bind(1, subscriber).bind(2, from_seq).bind(3, seq).run();
    // The outbox keeps only the latest delivered row of a subscriber (its
    // last success); the event log has every body.
    tx.db().cached("DELETE FROM deliveries WHERE state = 'delivered' AND "
                   "subscriber = ?1 AND seq < ?2")
        ->bind(1, subscriber).bind(2, seq).run();
}

void mark_attempt_failed(transaction& tx, std::int64_t id, const std::string& error,
                         std::chrono::milliseconds wait, std::chrono::milliseconds give_up_after) {
    // A failure a day after the event is the last one: no retry is due.
    const auto now = core::to_micros(tx.now());
    auto st = tx.db().cached(
        "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, error_at = ?3, "
        "next_at = ?4, state = CASE WHEN ?3 - created_at >= ?5 THEN 'failed' ELSE state END "
        "WHERE id = ?1 AND state = 'pending'");
    st->bind(1, id).bind(2, error).bind(3, now).bind(4, now + core::to_micros(wait));
    st->bind(5, core::to_micros(give_up_after)).run();
}

void give_up_delivery(transaction& tx, std::int64_t id, const std::string& why, bool keep_error) {
    auto st = tx.db().cached(keep_error
                                 ? "UPDATE deliveries SET state = 'failed', last_error = "
                                   "coalesce(last_error, ?2) WHERE id = ?1 AND state = 'pending'"
                                 : "UPDATE deliveries SET state = 'failed', last_error = ?2 "
                                   "WHERE id = ?1 AND state = 'pending'");
    st->bind(1, id).bind(2, why).run();
}

std::vector<std::string> drop_removed_subscribers(sqlite::db& db,
                                                  const std::set<std::string>& keep) {
    std::vector<std::string> gone;
    auto names = db.prepare("SELECT DISTINCT subscriber FROM deliveries WHERE state = 'pending'");
    while (names.step())
        if (!keep.contains(names.text(0)))
            gone.push_back(names.text(0));
    for (const auto& name : gone) {
        auto st = db.prepare("UPDATE deliveries SET state = 'failed', last_error = "
                             "'subscriber removed' WHERE state = 'pending' AND subscriber = ?1");
        st.bind(1, name).run();
    }
    return gone;
}

int prune_failed_deliveries(transaction& tx, core::time_point before) {
    // Few rows are failed, and the state index finds them.
    auto st = tx.db().prepare("DELETE FROM deliveries WHERE state = 'failed' AND "
                              "created_at < ?1");
    st.bind(1, core::to_micros(before)).run();
    return tx.db().changes();
}

std::optional<std::int64_t> last_delivery(sqlite::db& db, const std::string& subscriber) {
    auto st = db.cached("SELECT max(delivered_at) FROM deliveries WHERE subscriber = ?1 AND "
                        "state = 'delivered'");
    st->bind(1, subscriber);
    if (st->step() && !st->is_null(0))
        return st->int64(0);
    return std::nullopt;
}

std::int64_t pending_deliveries(sqlite::db& db, const std::string& subscriber) {
    auto st = db.prepare("SELECT count(*) FROM deliveries WHERE subscriber = ?1 "
                         "AND state = 'pending'");
    st.bind(1, subscriber);
    return st.step() ? st.int64(0) : 0;
}

std::optional<core::time_point> failing_since(sqlite::db& db, const std::string& subscriber) {
    auto st = db.prepare(
        "SELECT min(created_at) FROM deliveries WHERE subscriber = ?1 AND attempts > 0 AND "
        "state != 'delivered' AND created_at >= coalesce((SELECT max(delivered_at) FROM "
        "deliveries WHERE subscriber = ?1 AND state = 'delivered'), 0)");
    st.bind(1, subscriber);
    if (st.step() && !st.is_null(0))
        return core::from_micros(st.int64(0));
    return std::nullopt;
}

outbox_standing read_standing(sqlite::db& db, const std::string& subscriber) {
    outbox_standing s;
    auto counts = db.prepare(
        "SELECT sum(state = 'pending'), sum(state = 'failed'), "
        "min(CASE WHEN state = 'pending' THEN created_at END), max(delivered_at) "
        "FROM deliveries WHERE subscriber = ?1");
    counts.bind(1, subscriber);
    if (counts.step()) {
        s.pending = counts.is_null(0) ? 0 : counts.int64(0);
        s.failed = counts.is_null(1) ? 0 : counts.int64(1);
        if (!counts.is_null(2))
            s.oldest_pending = counts.int64(2);
        if (!counts.is_null(3))
            s.last_success = counts.int64(3);
    }
    auto error = db.prepare("SELECT last_error, error_at FROM deliveries WHERE subscriber = ?1 "
                            "AND last_error IS NOT NULL ORDER BY coalesce(error_at, 0) DESC, "
                            "seq DESC LIMIT 1");
    error.bind(1, subscriber);
    if (error.step()) {
        s.last_error = error.text(0);
        if (!error.is_null(1))
            s.last_error_at = error.int64(1);
    }
    return s;
}

} // namespace opel::store
