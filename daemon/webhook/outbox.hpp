#pragma once
// The durable outbox: a delivery (of any kind) is a row written in the transaction
// that appends its event, so a committed event always has its deliveries and
// a rolled-back one never has any.

#include "config/config.hpp"
#include "core/event.hpp"
#include "store/store.hpp"
#include "webhook/routing.hpp"

#include <vector>

namespace opel::webhook {

/// Writer thread, inside a write job, right after `tx.append_event` returned
/// `e`: queues one pending delivery of `e` to each of the config's
/// subscribers it routes to (once per subscriber and seq), of every kind.
void record(store::transaction& tx, const config::config& cfg, const core::event& e);

/// As above, for an `alert.` event whose Alert says `facts` (the writer has
/// the alert at hand: its JSON is not read again for each subscriber).
void record(store::transaction& tx, const config::config& cfg, const core::event& e,
            const alert_facts& facts);

} // namespace opel::webhook
