#pragma once
// The durable outbox: a webhook delivery is a row written in the transaction
// that appends its event, so a committed event always has its deliveries and
// a rolled-back one never has any.

#include "config/config.hpp"
#include "core/event.hpp"
#include "store/store.hpp"

#include <vector>

namespace opel::webhook {

/// Writer thread, inside a write job, right after `tx.append_event` returned
/// `e`: queues one pending delivery of `e` to each of `subscribers` it routes
/// to (once per subscriber and seq).
void record(store::transaction& tx, const std::vector<config::subscriber>& subscribers,
            const core::event& e);

} // namespace opel::webhook
