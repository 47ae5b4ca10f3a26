#pragma once
// Alerts and silences: the values the engine hands to the store, which
// persists them and publishes each change on `alert.L<level>.<scope>.<subject>`.

#include "core/types.hpp"

#include <boost/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opel::rules {

/// Where an alert is in its lifecycle.
enum class alert_state { firing, acknowledged, resolved };

/// "firing", "acknowledged" or "resolved".
const char* state_name(alert_state s);
/// Parses a state name; nullopt if it is not one.
std::optional<alert_state> parse_state(std::string_view s);

/// The rule id of the alert the daemon raises itself, to the `admin`
/// audience, when a webhook subscriber has failed for an hour; no rules file
/// defines it, and the engine keeps it open across reloads and restarts.
inline constexpr std::string_view webhook_failing_rule = "webhook-failing";
/// Whether `rule` is one the daemon raises itself rather than a rules file's.
inline bool is_own_rule(std::string_view rule) { return rule == webhook_failing_rule; }

/// One alert: at most one is open per rule and subject.
struct alert {
    std::int64_t id = 0;
    std::string rule;
    int level = 0;
    std::string scope;   ///< practice, pcn, place or system
    std::string subject; ///< the practice code, PCN name, place id, theme id or "system"
    std::vector<std::string> audiences;
    std::string title;
    std::string message;
    std::vector<std::int64_t> evidence; ///< ids of the submissions behind it
    alert_state state = alert_state::firing;
    core::time_point created_at{};
    core::time_point updated_at{};
    std::optional<core::time_point> fired_at; ///< when it last (re)fired: the unacknowledged timers run from it
    std::string acknowledged_by; ///< empty unless acknowledged
    std::string note;            ///< the acknowledgement's note
    std::string resolution;      ///< why it resolved; empty while open
    bool silenced = false;       ///< a silence matched when it last changed: recorded, not pushed
    /// The open alert that speaks for this one (an inhibition of the rules
    /// file): while set, the alert is recorded and published but not delivered.
    std::optional<std::int64_t> inhibited_by;
};

/// One change the engine made: persist `after`; publish it as an event when
/// `notify` or `publish`; deliver it to subscribers only when `notify`.
struct alert_change {
    alert after;
    bool notify = true; ///< deliver to subscribers: false for a repeat that only adds
                        ///< evidence, a silenced alert, or an inhibited one
    std::string why;    ///< a sentence on what caused the change, for logs and backtests
    bool publish = false; ///< publish the event even though nobody is notified: a
                          ///< re-rendered text, an inhibition starting or ending
    /// An open alert re-worded or extended, its state and level the same, and
    /// nobody notified: a later change of the same alert supersedes it, so
    /// the changes of one commit may be published as their last.
    bool refresh = false;
    /// The change opens a new alert (a fresh id): no row of it is stored yet.
    bool created = false;

    /// Whether the change becomes an event (on PUB, SSE and /v1/events).
    bool published() const { return notify || publish; }
};

/// A silence: alerts matching all its non-empty matchers between `starts_at`
/// and `ends_at` are recorded but not pushed.
struct silence {
    std::int64_t id = 0; ///< 0: the engine assigns one
    std::string rule;    ///< empty: any rule
    std::string scope;   ///< empty: any scope
    std::string subject; ///< empty: any subject
    core::time_point starts_at{};
    core::time_point ends_at{};
    std::string created_by;
    std::string comment;

    /// True when `a` matches every non-empty matcher.
    bool matches(const alert& a) const;
    /// True when the silence is in force at `t`: starts_at <= t < ends_at.
    bool active_at(core::time_point t) const { return starts_at <= t && t < ends_at; }
};

/// The contract's Alert: {id, rule, level, scope, subject, audiences, title,
/// message, evidence, state, created_at, updated_at} plus fired_at,
/// acknowledged_by, note, resolution (null when empty) and silenced. Its
/// strings and arrays are allocated from `sp` (the default heap when empty).
boost::json::object to_json(const alert& a, boost::json::storage_ptr sp = {});

/// serialize(to_json(a)), byte for byte, written straight into one string:
/// the writer thread writes one for every alert change, and building the
/// object to serialise it was most of that (tests hold the two equal).
std::string to_json_text(const alert& a);

/// The alert back from to_json's form (the store may keep it so); nullopt if malformed.
std::optional<alert> alert_from_json(const boost::json::value& v);

/// `{id, rule, scope, subject, starts_at, ends_at, created_by, comment}`.
boost::json::object to_json(const silence& s);

/// The silence back from to_json's form; nullopt if malformed.
std::optional<silence> silence_from_json(const boost::json::value& v);

/// The topic of an alert's events: `alert.L<level>.<scope>.<subject>`.
std::string alert_topic(const alert& a);

} // namespace opel::rules
