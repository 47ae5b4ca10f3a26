#pragma once
// Support items and escalations to the system as values: the state machine of
// a support item (offered -> agreed/declined -> in_place -> ended) as one pure
// function, who may make which move, and the JSON the contract shows. No I/O.

#include "core/error.hpp"
#include "core/types.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace opel::core {

/// Where a support item stands.
enum class support_state { offered, agreed, declined, in_place, ended };

/// The keyword of `s` ("in_place", ...).
const char* state_name(support_state s);
/// Parses a state keyword; nullopt if it is not one.
std::optional<support_state> parse_support_state(std::string_view s);
/// True while the item still needs or gives support: offered, agreed, in_place.
bool is_open(support_state s);

/// The verdict on a move.
enum class move_verdict {
    allowed,
    not_allowed, ///< the state machine has no such move (409)
    forbidden,   ///< the move exists but this caller may not make it (403)
};

/// Who asks for a move: a practice may answer its own offered items only.
struct mover {
    role who = role::team;
    bool own_practice = false; ///< for role practice: the item is its practice's
};

/// Whether `from` -> `to` is a move of the state machine (from offered:
/// agreed or declined; from agreed: in_place or ended; from in_place: ended).
bool can_move(support_state from, support_state to);

/// The verdict on `by` moving an item from `from` to `to`: a move that does
/// not exist is not_allowed for everyone; team and admin make every other;
/// a practice only offered -> agreed/declined on its own item; control_room none.
move_verdict judge_move(support_state from, support_state to, mover by);

/// One change of a support item, kept in its history.
struct support_step {
    support_state state = support_state::offered;
    std::string by;   ///< the token's name
    std::string role; ///< the token's role, so a page can say "the primary care team"
    time_point at{};
    std::string note; ///< empty: none
};

/// A support item: one action offered to one practice, and where it stands.
struct support_item {
    std::int64_t id = 0; ///< stamped by the store
    std::string practice;
    std::string action;  ///< an id from the rules file's support_actions
    std::string note;    ///< the latest note given (at the offer or a move)
    support_state state = support_state::offered;
    std::string by;      ///< who offered it
    time_point created_at{};
    time_point updated_at{};
    std::optional<std::int64_t> alert; ///< the practice's open alert it answers
    std::vector<support_step> history; ///< every change, oldest first

    /// The state it stood in at `t` (nullopt: not yet created).
    std::optional<support_state> state_at(time_point t) const;
};

/// An escalation from the primary care team to the system.
struct escalation {
    std::int64_t id = 0; ///< stamped by the store
    std::string title;
    std::string message;
    int level = 1;
    std::vector<std::string> themes;
    std::vector<std::string> practices;
    std::string by;
    time_point created_at{};
};

/// The contract's Support item, with its `history`.
boost::json::object to_json(const support_item& s);
/// The contract's escalation.
boost::json::object to_json(const escalation& e);
/// A history list as stored (JSON text) and back.
std::string history_json(const std::vector<support_step>& h);
std::vector<support_step> history_from_json(std::string_view text);

/// The most characters a support note may hold.
inline constexpr std::size_t max_support_note_chars = 2000;
/// The most characters an escalation title may hold.
inline constexpr std::size_t max_title_chars = 200;
/// The most characters an escalation message may hold.
inline constexpr std::size_t max_message_chars = 4000;

/// The body of POST /v1/practices/{code}/support.
struct support_offer {
    std::string action;
    std::string note;
};
/// The body of PATCH /v1/support/{id}.
struct support_move {
    support_state to = support_state::agreed;
    std::string note;
};

/// Parses an offer body: `{action, note}`, action required (400/422 as usual).
std::variant<support_offer, error> parse_support_offer(std::string_view body);
/// Parses a move body: `{state, note}`, state required.
std::variant<support_move, error> parse_support_move(std::string_view body);
/// Parses an escalation body: `{title, message, level, themes, practices}`;
/// title, message and level required; themes and practices lists of unique strings.
std::variant<escalation, error> parse_escalation(std::string_view body);

} // namespace opel::core
