// The webhook lane's state machine alone: every step a lane takes, from a
// tick to a delivered or failed POST and the marks written behind it.
#include "webhook/lane.hpp"

#include <catch2/catch.hpp>

using namespace opel::webhook;

namespace {

lane_status in(lane_state state, bool again = false, int marks = 0) {
    lane_status s;
    s.state = state;
    s.again = again;
    s.marks = marks;
    return s;
}

} // namespace

TEST_CASE("an idle lane looks at a tick, a busy one remembers it", "[webhook][lane]") {
    auto s = in(lane_state::idle);
    CHECK(transition(s, lane_event::tick) == lane_action::look);
    CHECK(s.state == lane_state::looking);
    CHECK_FALSE(s.again);
    for (auto busy : {lane_state::looking, lane_state::posting, lane_state::recording}) {
        auto b = in(busy);
        CHECK(transition(b, lane_event::tick) == lane_action::none);
        CHECK(b.state == busy);
        CHECK(b.again);
    }
}

TEST_CASE("a look that finds nothing rests, or looks again after a tick", "[webhook][lane]") {
    auto s = in(lane_state::looking);
    CHECK(transition(s, lane_event::nothing_due) == lane_action::none);
    CHECK(s.state == lane_state::idle);
    auto t = in(lane_state::looking, true);
    CHECK(transition(t, lane_event::nothing_due) == lane_action::look);
    CHECK(t.state == lane_state::looking);
    CHECK_FALSE(t.again);
}

TEST_CASE("a delivered POST moves on at once and counts its mark", "[webhook][lane]") {
    auto s = in(lane_state::looking);
    CHECK(transition(s, lane_event::found) == lane_action::none);
    CHECK(s.state == lane_state::posting);
    CHECK(transition(s, lane_event::delivered) == lane_action::look);
    CHECK(s.state == lane_state::looking);
    CHECK(s.marks == 1);
    CHECK(transition(s, lane_event::mark_written) == lane_action::none);
    CHECK(s.marks == 0);
    CHECK(s.state == lane_state::looking);
}

TEST_CASE("a failed POST waits for its failure on disk, then looks", "[webhook][lane]") {
    auto s = in(lane_state::posting);
    CHECK(transition(s, lane_event::failed) == lane_action::none);
    CHECK(s.state == lane_state::recording);
    CHECK(transition(s, lane_event::tick) == lane_action::none);
    CHECK(transition(s, lane_event::recorded) == lane_action::look);
    CHECK(s.state == lane_state::looking);
    CHECK_FALSE(s.again);
}

TEST_CASE("a delivery given up is written before the next look", "[webhook][lane]") {
    auto s = in(lane_state::looking);
    CHECK(transition(s, lane_event::give_up) == lane_action::none);
    CHECK(s.state == lane_state::recording);
    CHECK(transition(s, lane_event::recorded) == lane_action::look);
}

TEST_CASE("a lost mark makes the lane read from disk again", "[webhook][lane]") {
    auto idle = in(lane_state::idle, false, 1);
    CHECK(transition(idle, lane_event::mark_lost) == lane_action::look);
    CHECK(idle.marks == 0);
    CHECK(idle.state == lane_state::looking);
    auto busy = in(lane_state::posting, false, 2);
    CHECK(transition(busy, lane_event::mark_lost) == lane_action::none);
    CHECK(busy.marks == 1);
    CHECK(busy.again);
    CHECK(busy.state == lane_state::posting);
}

TEST_CASE("events that cannot happen in a state change nothing", "[webhook][lane]") {
    auto idle = in(lane_state::idle);
    for (auto e : {lane_event::nothing_due, lane_event::found, lane_event::delivered,
                   lane_event::failed, lane_event::recorded}) {
        CHECK(transition(idle, e) == lane_action::none);
        CHECK(idle.state == lane_state::idle);
    }
    auto posting = in(lane_state::posting);
    CHECK(transition(posting, lane_event::recorded) == lane_action::none);
    CHECK(posting.state == lane_state::posting);
    CHECK(std::string(state_name(lane_state::recording)) == "recording");
}
