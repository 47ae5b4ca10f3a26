// Teams Adaptive Cards, Slack blocks and SMS texts. A card carries the
// level colour of each alert (Adaptive Card container styles, Slack emoji),
// the practice or group, and its reason; a summary is a short card that
// points to the dashboard for the rest. Slack allows 50 blocks and a card
// gets unreadable long before that, so a digest shows its first 40 alerts
// and says how many more there are.
#include "channel/render.hpp"

#include "summary/text.hpp"

namespace opel::channel {

namespace json = boost::json;

namespace {

constexpr std::size_t max_lines = 40;

const char* card_style(int level) {
    return level >= 4 ? "attention" : level == 3 ? "warning" : level == 2 ? "accent" : "good";
}

const char* emoji(int level) {
    return level >= 4 ? ":red_circle:" : level == 3 ? ":large_orange_circle:"
           : level == 2 ? ":large_yellow_circle:" : ":large_green_circle:";
}

json::object text_block(std::string text, bool bold = false) {
    json::object b{{"type", "TextBlock"}, {"text", std::move(text)}, {"wrap", true}};
    if (bold)
        b["weight"] = "Bolder";
    return b;
}

json::object card(json::array body, const message_context& c) {
    json::object content{{"$schema", "http://adaptivecards.io/schemas/adaptive-card.json"},
                         {"type", "AdaptiveCard"},
                         {"version", "1.4"},
                         {"body", std::move(body)}};
    if (!c.public_url.empty())
        content["actions"] = json::array{json::object{
            {"type", "Action.OpenUrl"}, {"title", "Open the dashboard"}, {"url", c.public_url}}};
    return {{"type", "message"},
            {"attachments",
             json::array{json::object{{"contentType", "application/vnd.microsoft.card.adaptive"},
                                      {"contentUrl", nullptr},
                                      {"content", std::move(content)}}}}};
}

/// Text for Slack's mrkdwn: its three control characters escaped, so a
/// practice's note cannot make a link or a mention.
std::string slack_escape(const std::string& text) {
    std::string out;
    for (const char ch : text)
        out += ch == '&' ? "&amp;" : ch == '<' ? "&lt;" : ch == '>' ? "&gt;" : std::string(1, ch);
    return out;
}

/// The title and message, then the escalation's particulars and the notes.
std::vector<std::string> sentences(const line& l, const message_context& c) {
    std::vector<std::string> out{l.title + (l.message.empty() ? "" : ". " + l.message)};
    for (auto& s : line_about(l, c.themes))
        out.push_back(std::move(s));
    for (auto& s : line_notes(l))
        out.push_back(std::move(s));
    return out;
}

std::string more(std::size_t n) { return "... and " + std::to_string(n) + " more on the dashboard"; }

/// System level, each place's level, and the counts of pressured and not reporting.
std::vector<std::string> summary_facts(const json::object& s) {
    std::vector<std::string> out;
    if (const auto* places = s.if_contains("by_place"); places && places->is_object())
        for (const auto& [place, v] : places->as_object()) {
            const auto level =
                v.is_object() ? summary::text_of(v.as_object().if_contains("level")) : "";
            out.push_back(std::string(place) + ": " +
                          (level.empty() ? std::string("not known") : "OPEL " + level));
        }
    const auto count = [&](const char* key) {
        const auto* v = s.if_contains(key);
        return v && v->is_array() ? v->as_array().size() : 0;
    };
    out.push_back("Practices at OPEL 3 or 4: " + std::to_string(count("pressured")));
    out.push_back("Not reporting: " + std::to_string(count("not_reporting")));
    return out;
}

} // namespace

std::string digest_teams(const digest& d, const message_context& c) {
    json::array body{text_block(d.headline(), true)};
    for (std::size_t i = 0; i < d.lines.size() && i < max_lines; ++i) {
        const auto& l = d.lines[i];
        json::array items{
            text_block("OPEL " + std::to_string(l.level) + " " + l.state + ": " + who(l), true)};
        for (auto& s : sentences(l, c))
            items.push_back(text_block(std::move(s)));
        body.push_back(json::object{
            {"type", "Container"}, {"style", card_style(l.level)}, {"items", std::move(items)}});
    }
    if (d.lines.size() > max_lines)
        body.push_back(text_block(more(d.lines.size() - max_lines)));
    return json::serialize(card(std::move(body), c));
}

std::string summary_teams(const json::object& s, const message_context& c) {
    json::array body{text_block(summary_headline(s), true)};
    for (auto& fact : summary_facts(s))
        body.push_back(text_block(std::move(fact)));
    return json::serialize(card(std::move(body), c));
}

std::string digest_slack(const digest& d, const message_context& c) {
    json::array blocks{json::object{
        {"type", "header"}, {"text", json::object{{"type", "plain_text"}, {"text", d.headline()}}}}};
    for (std::size_t i = 0; i < d.lines.size() && i < max_lines; ++i) {
        const auto& l = d.lines[i];
        auto text = std::string(emoji(l.level)) + " *OPEL " + std::to_string(l.level) + " " +
                    l.state + "*: " + slack_escape(who(l));
        for (const auto& s : sentences(l, c))
            text += "\n" + slack_escape(s);
        blocks.push_back(json::object{
            {"type", "section"},
            {"text", json::object{{"type", "mrkdwn"}, {"text", std::move(text)}}}});
    }
    if (d.lines.size() > max_lines)
        blocks.push_back(json::object{
            {"type", "context"},
            {"elements", json::array{json::object{{"type", "mrkdwn"},
                                                  {"text", more(d.lines.size() - max_lines)}}}}});
    if (!c.public_url.empty())
        blocks.push_back(json::object{
            {"type", "section"},
            {"text", json::object{{"type", "mrkdwn"},
                                  {"text", "<" + c.public_url + "|Open the dashboard>"}}}});
    return json::serialize(json::object{{"text", d.headline()}, {"blocks", std::move(blocks)}});
}

std::string summary_slack(const json::object& s, const message_context& c) {
    std::string text;
    for (const auto& fact : summary_facts(s))
        text += "\n" + fact;
    if (!c.public_url.empty())
        text += "\n<" + c.public_url + "|Open the dashboard>";
    json::array blocks{
        json::object{{"type", "header"},
                     {"text", json::object{{"type", "plain_text"}, {"text", summary_headline(s)}}}},
        json::object{{"type", "section"},
                     {"text", json::object{{"type", "mrkdwn"}, {"text", text.substr(1)}}}}};
    return json::serialize(
        json::object{{"text", summary_headline(s)}, {"blocks", std::move(blocks)}});
}

std::string test_card(bool teams, const message_context& c) {
    const std::string text =
        "Test message from opeld to the subscriber '" + c.subscriber + "'.";
    if (teams)
        return json::serialize(card(json::array{text_block(text, true)}, c));
    return json::serialize(json::object{{"text", text}});
}

std::string digest_sms(const digest& d, std::size_t limit) {
    std::string out = d.headline();
    for (const auto& l : d.lines) {
        const auto next = l.escalation ? "; escalated to the system at OPEL " +
                                             std::to_string(l.level) + ": " + l.title
                                       : "; " + who(l) + " OPEL " + std::to_string(l.level) +
                                             (l.state == "firing" ? "" : " " + l.state);
        if (out.size() + next.size() > limit) {
            out += "; and more";
            break;
        }
        out += next;
    }
    return out;
}

std::string summary_sms(const json::object& s) {
    std::string out = summary_headline(s);
    for (const auto& fact : summary_facts(s))
        out += "; " + fact;
    return out;
}

} // namespace opel::channel
