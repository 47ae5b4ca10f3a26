// Writes webhook deliveries into the event's own transaction. The body kept
// is the Event JSON exactly as the other channels carry it, so a retry a day
// later sends the same bytes and the same signature.
#include "webhook/outbox.hpp"

#include "webhook/routing.hpp"

namespace opel::webhook {

void record(store::transaction& tx, const std::vector<config::subscriber>& subscribers,
            const core::event& e) {
    std::string body;
    for (const auto& s : subscribers) {
        if (!routes_to(s, e))
            continue;
        if (body.empty())
            body = core::event_json(e);
        // Due at once: the sender's next tick picks it up.
        const auto now = tx.now().time_since_epoch().count();
        auto st = tx.db().cached(
            "INSERT OR IGNORE INTO deliveries (subscriber, seq, topic, body, created_at, next_at) "
            "VALUES (?1, ?2, ?3, ?4, ?5, ?5)");
        st->bind(1, s.name).bind(2, e.seq).bind(3, e.topic).bind(4, body).bind(5, now);
        st->run();
    }
}

} // namespace opel::webhook
