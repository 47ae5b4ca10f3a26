#pragma once
// The use cases after an alert: the team offers a practice support, the
// practice or the team moves it through its states, and the team escalates
// to the system. Each runs on the writer thread inside the job of the request,
// so the row, its event (`support.<code>`, `escalation.system`) and the audit
// entry the caller adds land in one transaction or not at all.

#include "core/support.hpp"
#include "service/deployment.hpp"
#include "service/token_table.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <string>
#include <variant>

namespace opel::service {

class alerting;

/// A change made, or why it was refused.
template <typename T> using outcome = std::variant<T, core::error>;

/// Support items and escalations.
class support_desk {
public:
    explicit support_desk(alerting& alerts) : alerts_(alerts) {}

    /// Writer thread: `who` (team or admin) offers `offer` to `practice`;
    /// linked to the practice's open alert, if any; published as support.<code>.
    outcome<core::support_item> offer(store::transaction& tx, const deployment& d,
                                      const principal& who, const std::string& practice,
                                      const core::support_offer& offer);
    /// Writer thread: `who` moves item `id` (see core::judge_move): 404 when
    /// there is no such item, 409 when the state machine has no such move, 403
    /// when the move is not this caller's to make.
    outcome<core::support_item> move(store::transaction& tx, const principal& who,
                                     std::int64_t id, const core::support_move& m);
    /// Writer thread: `who` (team or admin) escalates `e` to the system:
    /// stored, published as escalation.system and queued for every
    /// control_room subscriber.
    outcome<core::escalation> escalate(store::transaction& tx, const deployment& d,
                                       const principal& who, core::escalation e);

private:
    /// Tells the rules engine whether `practice` has support open now, and
    /// writes the alert changes that makes (the `support` rules).
    void tell_engine(store::transaction& tx, const std::string& practice);

    alerting& alerts_;
};

} // namespace opel::service
