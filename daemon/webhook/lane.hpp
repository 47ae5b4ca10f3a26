#pragma once
// The state machine of one subscriber's lane, apart from any I/O: which step
// is under way (a look at the outbox, a POST, the writing of a failure) and
// what to do next when a step ends or a tick comes. The sender feeds it
// events and carries out the actions it returns; the unit tests drive it
// alone.

namespace opel::webhook {

/// The step a lane is in. Only one at a time, which keeps a subscriber's
/// deliveries in seq order.
enum class lane_state {
    idle,      ///< nothing under way
    looking,   ///< reading the subscriber's oldest pending delivery (or batch)
    posting,   ///< a POST in flight
    recording, ///< a failed attempt (or a give-up) being written; the next look waits for it
};

/// What happened to a lane.
enum class lane_event {
    tick,         ///< something may be due: look at the outbox
    nothing_due,  ///< the look found nothing to send now
    found,        ///< the look found a delivery due: it is being posted
    give_up,      ///< the look found a delivery past hope: its failure is being written
    delivered,    ///< the POST got a 2xx: its mark is written in the background
    failed,       ///< the POST failed: the failure is being written
    recorded,     ///< the failure (or give-up) is on disk
    mark_written, ///< a delivered mark is on disk
    mark_lost,    ///< a delivered mark failed to commit: look again from disk
};

/// What the sender does after a transition.
enum class lane_action {
    none, ///< wait for the step under way
    look, ///< read the oldest pending delivery (after the last one delivered)
};

/// A lane's state and the two counts that outlive a step.
struct lane_status {
    lane_state state = lane_state::idle;
    bool again = false; ///< a tick (or a lost mark) came while busy: look when free
    int marks = 0;      ///< delivered marks being written
    /// Whether a step is under way.
    bool busy() const { return state != lane_state::idle; }
};

/// Moves `s` on by `e` and says what to do. An event that cannot happen in
/// the current state leaves it as it is and asks for nothing.
lane_action transition(lane_status& s, lane_event e);

/// The name of a state, for logs and test messages.
const char* state_name(lane_state s);

} // namespace opel::webhook
