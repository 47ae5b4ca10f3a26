#pragma once
// A digest: the alert changes waiting for one subscriber, read from its
// outbox rows when it is sent, and when it is due. Pure: no I/O, an injected
// time; every kind renders the same digest.

#include "config/config.hpp"
#include "core/types.hpp"

#include <boost/json.hpp>
#include <date/tz.h>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opel::channel {

/// One pending outbox row as the timing sees it.
struct pending_item {
    std::int64_t seq = 0;
    std::string topic;           ///< `alert.L<level>...`, `escalation.system` or `summary.daily`
    std::int64_t created_at = 0; ///< microseconds since the epoch
    std::int64_t next_at = 0;    ///< microseconds: not before (a retry's backoff)
    int level = -1;              ///< the level it carries; -1: read from the topic
};

/// What to send next: the first `count` pending rows as one message, due at
/// `due_at`. A summary is always a message of its own.
struct plan {
    std::size_t count = 0;
    std::int64_t due_at = 0; ///< microseconds since the epoch
    bool summary = false;
};

/// The level an alert topic names (`alert.L4.practice.C82001`: 4); 0 for
/// any other topic.
int topic_level(const std::string& topic);

/// The level an outbox row stands at for the timing: its alert topic's, or
/// for an escalation to the system the `level` in its Event JSON `body`.
int item_level(const std::string& topic, const std::string& body);

/// The next message for `pending` (lowest seq first, not empty): alerts up
/// to the next summary are one digest, due `group.wait` after the first and
/// no sooner than `group.interval` after `last_sent`, except that a level 4
/// is never held longer than `group.wait`; quiet hours (in `tz`) hold a
/// digest with nothing at or above their `except_level` until they end.
plan plan_next(const std::vector<pending_item>& pending, std::optional<std::int64_t> last_sent,
               const config::group_timing& group, const std::optional<config::quiet_hours>& quiet,
               const date::time_zone* tz);

/// The end of the quiet hours that `at` (microseconds) falls in, or `at`
/// itself when it is outside them.
std::int64_t after_quiet(std::int64_t at, const config::quiet_hours& quiet,
                         const date::time_zone* tz);

/// One alert change of a digest, with the practice it is about (if any), or
/// one escalation from the primary care team to the system.
struct line {
    std::int64_t seq = 0;
    int level = 0;
    std::string state; ///< firing, acknowledged or resolved; `escalated` for an escalation
    std::string rule;
    std::string scope;
    std::string subject;
    std::string title;
    std::string message;
    std::string practice; ///< the practice's name when scope is practice
    std::string pcn;
    std::string place;
    std::string time;     ///< RFC 3339, the event's
    std::string note;     ///< what the practice wrote with the latest report behind it
    std::string acknowledged_by; ///< who acknowledged it, when it is acknowledged
    std::string ack_note;        ///< the acknowledgement's note
    bool escalation = false;     ///< an escalation to the system, not an alert
    std::string by;              ///< an escalation: who sent it
    std::vector<std::string> practices; ///< an escalation's practices, "Name (code)"
    std::vector<std::string> themes;    ///< an escalation's theme ids
};

/// Whom a line is about: "Aldermere Surgery (C82001)", "pcn Larkspur Central
/// PCN", or "Escalation to the system".
std::string who(const line& l);

/// Alert changes and escalations for one message, with their counts.
struct digest {
    std::vector<line> lines;
    int highest = 0;
    int raised = 0;       ///< firing
    int acknowledged = 0;
    int resolved = 0;
    int escalated = 0;    ///< escalations to the system
    std::int64_t first_seq = 0;
    std::int64_t last_seq = 0;
    /// `OPEL 4: 3 new, 1 resolved, 1 escalation to the system`.
    std::string headline() const;
};

/// The submissions whose notes a digest of `bodies` shows: for each practice
/// alert, the latest of its evidence.
std::vector<std::int64_t> note_sources(const std::vector<std::string>& bodies);

/// The digest of `bodies` (Event JSON texts of alert and `escalation.system`
/// events, in seq order); practices name the practice, its PCN and place;
/// `notes` (submission id -> note, from note_sources) give each practice
/// alert its practice's note. Unreadable bodies are skipped.
digest build_digest(const std::vector<std::string>& bodies,
                    const std::vector<core::practice>& practices,
                    const std::map<std::int64_t, std::string>& notes = {});

/// The summary object of a `summary.daily` Event JSON text, or nullopt.
std::optional<boost::json::object> summary_of(const std::string& body);

/// The level a summary's `system` stands at, 0 when unknown.
int summary_level(const boost::json::object& summary);

/// `OPEL daily summary 2026-11-25: system OPEL 3` (or "not known").
std::string summary_headline(const boost::json::object& summary);

} // namespace opel::channel
