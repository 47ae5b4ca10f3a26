// Mails as MIME text (RFC 5322 and 2045-2049), ready for SMTP: the transport
// only adds the envelope. Every body part is base64 so that any practice's
// text, in any script, arrives as it was; the subject is RFC 2047 encoded
// when it is not ASCII. Message-ID is made from the first and last seq, so a
// retried digest carries the same id and a mailbox can drop a copy.
#include "channel/render.hpp"

#include "core/crypto.hpp"
#include "core/note_text.hpp"
#include "core/opel_level.hpp"
#include "summary/daily_render.hpp"
#include "summary/page.hpp"
#include "summary/text.hpp"

#include <date/date.h>

#include <algorithm>

namespace opel::channel {

namespace json = boost::json;

namespace {

std::string domain_of(const std::string& address) {
    const auto at = address.rfind('@');
    return at == std::string::npos ? "localhost" : address.substr(at + 1);
}

bool ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 32 && c < 127; });
}

std::string encoded_subject(const std::string& s) {
    return ascii(s) ? s : "=?UTF-8?B?" + core::base64(s) + "?=";
}

/// Base64 in lines of 76 characters, CRLF-ended.
std::string base64_lines(std::string_view data) {
    const auto all = core::base64(data);
    std::string out;
    for (std::size_t i = 0; i < all.size(); i += 76)
        out += all.substr(i, 76) + "\r\n";
    return out;
}

std::string part(const std::string& type, std::string_view body, const std::string& extra = "") {
    return "Content-Type: " + type + "\r\nContent-Transfer-Encoding: base64\r\n" + extra + "\r\n" +
           base64_lines(body);
}

std::string multipart(const std::string& type, const std::string& boundary,
                      const std::vector<std::string>& parts) {
    std::string out = "Content-Type: multipart/" + type + "; boundary=\"" + boundary + "\"\r\n\r\n";
    for (const auto& p : parts)
        out += "--" + boundary + "\r\n" + p;
    return out + "--" + boundary + "--\r\n";
}

std::string headers(const message_context& c, const std::string& subject, const std::string& id) {
    std::string to;
    for (const auto& a : c.to)
        to += (to.empty() ? "" : ", ") + a;
    const auto domain = domain_of(c.from);
    const auto date = date::format("%a, %d %b %Y %H:%M:%S +0000",
                                   std::chrono::floor<std::chrono::seconds>(c.now));
    return "From: OPEL alerts <" + c.from + ">\r\nTo: " + to + "\r\nSubject: " +
           encoded_subject(subject) + "\r\nDate: " + date + "\r\nMessage-ID: <" + id + "@" +
           domain + ">\r\nList-Id: OPEL alerts <opel-alerts." + domain +
           ">\r\nAuto-Submitted: auto-generated\r\nX-Auto-Response-Suppress: All\r\n"
           "MIME-Version: 1.0\r\n";
}

std::string token_of(const std::string& name) {
    return core::to_hex(core::sha256(name)).substr(0, 12);
}

std::string where(const line& l) {
    if (!l.practice.empty())
        return who(l) + ", " + l.pcn + ", " + l.place;
    return who(l);
}

std::string digest_text(const digest& d, const message_context& c) {
    std::string out = d.headline() + "\r\n\r\n";
    for (const auto& l : d.lines) {
        out += "OPEL " + std::to_string(l.level) + " " + l.state + ": " + where(l) + "\r\n    " +
               l.title + (l.message.empty() ? "" : ". " + l.message) + "\r\n";
        for (const auto& more : line_about(l, c.themes))
            out += "    " + more + "\r\n";
        for (const auto& more : line_notes(l))
            out += "    " + more + "\r\n";
    }
    if (!c.public_url.empty())
        out += "\r\nDashboard: " + c.public_url + "\r\n";
    return out;
}

std::string digest_html(const digest& d, const message_context& c) {
    using summary::html_escape;
    std::string out =
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>" + html_escape(d.headline()) +
        "</title></head><body style=\"font-family:Arial,sans-serif;color:#1a1a1a\"><h1 "
        "style=\"font-size:1.3rem\">" +
        html_escape(d.headline()) +
        "</h1><table style=\"border-collapse:collapse\" cellpadding=\"6\"><tr><th "
        "align=\"left\">Level</th><th align=\"left\">State</th><th align=\"left\">Practice or "
        "group</th><th align=\"left\">PCN</th><th align=\"left\">Place</th><th "
        "align=\"left\">What</th><th align=\"left\">Note</th></tr>";
    for (const auto& l : d.lines) {
        const auto& info = core::level_of(l.level);
        std::string what = "<b>" + html_escape(l.title) + "</b><br>" + html_escape(l.message);
        for (const auto& more : line_about(l, c.themes))
            what += "<br>" + html_escape(more);
        std::string note;
        for (const auto& more : line_notes(l))
            note += (note.empty() ? "" : "<br>") + html_escape(more);
        out += "<tr style=\"border-top:1px solid #ddd;vertical-align:top\"><td style=\"background:" +
               std::string(info.hex) + ";color:" + std::string(summary::text_colour_on(info.hex)) +
               ";font-weight:bold;white-space:nowrap\">OPEL " + std::to_string(l.level) +
               "</td><td>" + html_escape(l.state) + "</td><td>" + html_escape(who(l)) +
               "</td><td>" + html_escape(l.pcn) + "</td><td>" + html_escape(l.place) +
               "</td><td>" + what + "</td><td>" + note + "</td></tr>";
    }
    out += "</table>";
    if (!c.public_url.empty())
        out += "<p><a href=\"" + html_escape(c.public_url) + "\">Open the dashboard</a></p>";
    return out + "</body></html>";
}

std::string summary_text(const json::object& s) {
    std::string out = summary_headline(s) + "\r\n\r\n";
    if (const auto* places = s.if_contains("by_place"); places && places->is_object())
        for (const auto& [place, v] : places->as_object())
            out += std::string(place) + ": " +
                   (v.is_object() ? summary::text_of(v.as_object().if_contains("level")) : "") +
                   "\r\n";
    if (const auto* p = s.if_contains("pressured"); p && p->is_array()) {
        out += "\r\nPractices at OPEL 3 or 4: " + std::to_string(p->as_array().size()) + "\r\n";
        for (const auto& row : p->as_array())
            if (row.is_object())
                out += "  OPEL " + summary::member_text(row.as_object(), "level") + " " +
                       summary::member_text(row.as_object(), "name") + " (" +
                       summary::member_text(row.as_object(), "code") + ")\r\n";
    }
    if (const auto* n = s.if_contains("not_reporting"); n && n->is_array())
        out += "\r\nNot reporting: " + std::to_string(n->as_array().size()) + " practices\r\n";
    return out;
}

} // namespace

std::vector<std::string> line_notes(const line& l) {
    std::vector<std::string> out;
    // A rule's message may quote the note already ("Note: {note}."), without
    // its final full stops; then the row says it once, in the message.
    const auto quoted = core::note_as_quoted(l.note);
    if (!quoted.empty() && l.message.find(quoted) == std::string::npos)
        out.push_back("Note from the practice: " + l.note);
    if (!l.acknowledged_by.empty())
        out.push_back("Acknowledged by " + l.acknowledged_by +
                      (l.ack_note.empty() ? "" : ": " + l.ack_note));
    return out;
}

std::vector<std::string> line_about(const line& l, const summary::theme_names& themes) {
    std::vector<std::string> out;
    if (!l.by.empty())
        out.push_back("Sent by " + l.by);
    std::string list;
    for (const auto& p : l.practices)
        list += (list.empty() ? "" : ", ") + p;
    if (!list.empty())
        out.push_back("Practices: " + list);
    list.clear();
    for (const auto& t : l.themes)
        list += (list.empty() ? "" : ", ") + themes.name(t);
    if (!list.empty())
        out.push_back("Themes: " + list);
    return out;
}

std::string digest_mail(const digest& d, const message_context& c) {
    const auto id = "opeld." + token_of(c.subscriber) + "." + std::to_string(d.first_seq) + "-" +
                    std::to_string(d.last_seq);
    return headers(c, d.headline(), id) +
           multipart("alternative", "opel-alt-" + std::to_string(d.last_seq),
                     {part("text/plain; charset=utf-8", digest_text(d, c)),
                      part("text/html; charset=utf-8", digest_html(d, c))});
}

std::string summary_mail(const json::object& s, const message_context& c) {
    const auto date = summary::member_text(s, "date");
    const auto id = "opeld." + token_of(c.subscriber) + ".summary." + date;
    const auto alternative =
        multipart("alternative", "opel-alt-" + date,
                  {part("text/plain; charset=utf-8", summary_text(s)),
                   part("text/html; charset=utf-8",
                        summary::render_daily_html(s, c.tz, c.themes, c.actions))});
    return headers(c, summary_headline(s), id) +
           multipart("mixed", "opel-mixed-" + date,
                     {alternative,
                      part("text/csv; charset=utf-8; name=\"opel-summary-" + date + ".csv\"",
                           summary::render_daily_csv(s, c.themes),
                           "Content-Disposition: attachment; filename=\"opel-summary-" + date +
                               ".csv\"\r\n")});
}

std::string test_mail(const message_context& c) {
    const auto id = "opeld." + token_of(c.subscriber) + ".test." +
                    std::to_string(c.now.time_since_epoch().count());
    const std::string text = "This is a test message from opeld to the subscriber '" +
                             c.subscriber + "'. Alerts and daily summaries will come like this.";
    return headers(c, "OPEL test message", id) +
           part("text/plain; charset=utf-8", text + "\r\n");
}

} // namespace opel::channel
