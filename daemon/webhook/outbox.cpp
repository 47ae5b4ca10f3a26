// Writes webhook deliveries into the event's own transaction. A row holds
// no copy of the body: the body is the Event JSON, rebuilt from the event's
// own row (never deleted, written in the same transaction) when it is sent,
// with the same function as every other channel, so each attempt, a day
// later or after a restart, sends the same bytes and the same signature.
// A row that does hold a body (from before) is sent as it is.
#include "webhook/outbox.hpp"

#include "webhook/routing.hpp"

namespace opel::webhook {

void record(store::transaction& tx, const std::vector<config::subscriber>& subscribers,
            const core::event& e) {
    for (const auto& s : subscribers) {
        if (!routes_to(s, e))
            continue;
        // Due at once: the sender's next tick picks it up.
        const auto now = tx.now().time_since_epoch().count();
        auto st = tx.db().cached(
            "INSERT OR IGNORE INTO deliveries (subscriber, seq, topic, body, created_at, next_at) "
            "VALUES (?1, ?2, ?3, '', ?4, ?4)");
        st->bind(1, s.name).bind(2, e.seq).bind(3, e.topic).bind(4, now);
        st->run();
    }
}

} // namespace opel::webhook
