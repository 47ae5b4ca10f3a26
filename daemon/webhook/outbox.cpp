// Writes deliveries into the event's own transaction: one row per
// subscriber the event routes to (the rows themselves are store/outbox's).
#include "webhook/outbox.hpp"

#include "store/outbox.hpp"
#include "webhook/routing.hpp"

namespace opel::webhook {

void record(store::transaction& tx, const config::config& cfg, const core::event& e) {
    for (const auto& s : cfg.subscribers)
        if (routes_to(s, e, cfg.practices))
            store::queue_delivery(tx, s.name, e); // due at once: the next tick sends it
}

void record(store::transaction& tx, const config::config& cfg, const core::event& e,
            const alert_facts& facts) {
    for (const auto& s : cfg.subscribers)
        if (routes_to(s, e, facts, cfg.practices))
            store::queue_delivery(tx, s.name, e);
}

} // namespace opel::webhook
