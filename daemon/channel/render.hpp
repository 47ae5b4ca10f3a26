#pragma once
// What a person receives, by kind: a digest or a daily summary as a mail
// (MIME text), a Teams Adaptive Card, Slack blocks, or a short text for
// GOV.UK Notify. Pure: the time and the zone are given.

#include "channel/digest.hpp"
#include "core/types.hpp"
#include "summary/themes.hpp"

#include <boost/json.hpp>
#include <date/tz.h>

#include <string>
#include <vector>

namespace opel::channel {

/// Who a message is for and what it may link to.
struct message_context {
    std::string subscriber;       ///< the subscriber's name
    std::string from;             ///< email: the sender address
    std::vector<std::string> to;  ///< email: the recipients
    std::string public_url;       ///< the dashboard; empty: no link
    core::time_point now{};
    const date::time_zone* tz = nullptr; ///< times shown in it; null: UTC
    summary::theme_names themes;         ///< the rules file's theme names; empty: ids
    summary::theme_names actions;        ///< the rules file's support action names; empty: ids
};

/// A line's notes, a sentence each: what the practice wrote with its latest
/// report (unless the message quotes it already), and who acknowledged the
/// alert with what note.
std::vector<std::string> line_notes(const line& l);
/// An escalation's sender, practices and themes (by their names in
/// `themes`), a sentence each; empty for an alert.
std::vector<std::string> line_about(const line& l, const summary::theme_names& themes);

/// A digest mail: `multipart/alternative` with a text/plain and a text/html
/// part, one line or row per alert.
std::string digest_mail(const digest& d, const message_context& c);
/// The daily summary as its own mail: the HTML form, a text alternative and
/// the CSV form attached.
std::string summary_mail(const boost::json::object& summary, const message_context& c);
/// A test mail.
std::string test_mail(const message_context& c);

/// The Teams Workflows body for a digest: a message with one Adaptive Card.
std::string digest_teams(const digest& d, const message_context& c);
/// The summary as a short Adaptive Card.
std::string summary_teams(const boost::json::object& summary, const message_context& c);
/// The Slack body for a digest: `{text, blocks}`.
std::string digest_slack(const digest& d, const message_context& c);
/// The summary as a short Slack message.
std::string summary_slack(const boost::json::object& summary, const message_context& c);
/// A test card (`teams`) or message (`slack`).
std::string test_card(bool teams, const message_context& c);

/// The short text of an SMS: the headline and the alerts, cut to `limit`
/// characters.
std::string digest_sms(const digest& d, std::size_t limit = 600);
/// The summary as a short text.
std::string summary_sms(const boost::json::object& summary);

} // namespace opel::channel
