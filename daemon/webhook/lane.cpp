// The lane's transition function: one switch per state, so every (state,
// event) pair that can happen is written down here and tested on its own.
// A delivered mark is written in the background while the lane moves on
// (the next look skips what was delivered), so `marks` is a count beside
// the state, not a state of its own.
#include "webhook/lane.hpp"

namespace opel::webhook {

namespace {

/// The end of a step: look again if a tick came meanwhile, else rest.
lane_action settle(lane_status& s) {
    if (s.again) {
        s.again = false;
        s.state = lane_state::looking;
        return lane_action::look;
    }
    s.state = lane_state::idle;
    return lane_action::none;
}

lane_action look(lane_status& s) {
    s.again = false;
    s.state = lane_state::looking;
    return lane_action::look;
}

} // namespace

lane_action transition(lane_status& s, lane_event e) {
    // The background marks move the counts in every state.
    if (e == lane_event::mark_written || e == lane_event::mark_lost) {
        if (s.marks > 0)
            --s.marks;
        if (e == lane_event::mark_written)
            return lane_action::none;
        if (!s.busy())
            return look(s);
        s.again = true;
        return lane_action::none;
    }
    if (e == lane_event::tick) {
        if (!s.busy())
            return look(s);
        s.again = true;
        return lane_action::none;
    }
    switch (s.state) {
    case lane_state::looking:
        if (e == lane_event::nothing_due)
            return settle(s);
        if (e == lane_event::found)
            s.state = lane_state::posting;
        else if (e == lane_event::give_up)
            s.state = lane_state::recording;
        return lane_action::none;
    case lane_state::posting:
        if (e == lane_event::delivered) {
            ++s.marks;
            return look(s); // the next delivery does not wait for the mark
        }
        if (e == lane_event::failed)
            s.state = lane_state::recording;
        return lane_action::none;
    case lane_state::recording:
        if (e == lane_event::recorded)
            return look(s); // the failure is on disk: the look sees it
        return lane_action::none;
    case lane_state::idle:
        return lane_action::none;
    }
    return lane_action::none;
}

const char* state_name(lane_state s) {
    switch (s) {
    case lane_state::idle:
        return "idle";
    case lane_state::looking:
        return "looking";
    case lane_state::posting:
        return "posting";
    case lane_state::recording:
        return "recording";
    }
    return "?";
}

} // namespace opel::webhook
