// The people-facing kinds without a socket: when a digest is due (wait,
// interval, level 4, quiet hours), what it says, and the shapes of the mail,
// the Teams card, the Slack blocks and the Notify request.
#include "channel/digest.hpp"
#include "channel/notify.hpp"
#include "channel/render.hpp"
#include "core/crypto.hpp"
#include "summary/daily_render.hpp"
#include "support/mime.hpp"

#include <catch2/catch.hpp>
#include <date/date.h>

using namespace opel;
using namespace opel::channel;

namespace {

constexpr std::int64_t s = 1000000; // a second in microseconds

pending_item alert(std::int64_t seq, int level, std::int64_t at) {
    return {seq, "alert.L" + std::to_string(level) + ".practice.C82001", at, at, -1};
}

std::string event(std::int64_t seq, int level, const std::string& state,
                  const std::string& subject = "C82001") {
    return boost::json::serialize(boost::json::object{
        {"seq", seq},
        {"topic", "alert.L" + std::to_string(level) + ".practice." + subject},
        {"time", "2026-11-25T10:00:00Z"},
        {"data", boost::json::object{{"level", level},
                                     {"state", state},
                                     {"rule", "practice-level-" + std::to_string(level)},
                                     {"scope", "practice"},
                                     {"subject", subject},
                                     {"title", "Practice at OPEL " + std::to_string(level)},
                                     {"message", "It rose from 1"}}}});
}

const std::vector<core::practice> practices{
    {"C82001", "Example Surgery", "Example North PCN", "county"}};

message_context context() {
    return {"team inbox", "opeld@example.nhs.uk", {"team@example.nhs.uk"},
            "https://opel.example.nhs.uk/", core::time_point{std::chrono::seconds(1795600000)},
            nullptr, {}, {}};
}

} // namespace

TEST_CASE("a digest waits group.wait after its first alert", "[channel]") {
    const config::group_timing g{std::chrono::seconds(30), std::chrono::seconds(300)};
    const auto p = plan_next({alert(1, 3, 100 * s), alert(2, 3, 110 * s)}, std::nullopt, g,
                             std::nullopt, nullptr);
    CHECK(p.count == 2);
    CHECK(p.due_at == 130 * s);
    CHECK_FALSE(p.summary);
}

TEST_CASE("a later digest waits group.interval after the last, a level 4 no longer than "
          "group.wait",
          "[channel]") {
    const config::group_timing g{std::chrono::seconds(30), std::chrono::seconds(300)};
    CHECK(plan_next({alert(5, 3, 100 * s)}, 90 * s, g, std::nullopt, nullptr).due_at == 390 * s);
    CHECK(plan_next({alert(5, 3, 100 * s), alert(6, 4, 120 * s)}, 90 * s, g, std::nullopt,
                    nullptr)
              .due_at == 150 * s);
}

TEST_CASE("a summary is a message of its own, and ends a digest", "[channel]") {
    const config::group_timing g{};
    const pending_item summary{3, "summary.daily", 200 * s, 200 * s, -1};
    const auto first = plan_next({summary, alert(4, 3, 201 * s)}, std::nullopt, g, std::nullopt,
                                 nullptr);
    CHECK(first.summary);
    CHECK(first.count == 1);
    CHECK(first.due_at == 200 * s);
    const auto digest =
        plan_next({alert(1, 3, 100 * s), summary}, std::nullopt, g, std::nullopt, nullptr);
    CHECK(digest.count == 1);
    CHECK_FALSE(digest.summary);
}

TEST_CASE("a retry's backoff holds the digest back", "[channel]") {
    auto a = alert(1, 4, 100 * s);
    a.next_at = 500 * s;
    CHECK(plan_next({a}, std::nullopt, {}, std::nullopt, nullptr).due_at == 500 * s);
}

TEST_CASE("quiet hours hold a digest until they end, but not a level 4", "[channel]") {
    using namespace date;
    const auto* london = locate_zone("Europe/London");
    const config::quiet_hours q{std::chrono::hours(20), std::chrono::hours(8), 4};
    // 2026-11-25 22:00 UTC is 22:00 in London (GMT): quiet until 08:00 next day.
    const auto late = (sys_days{2026_y / November / 25} + std::chrono::hours(22))
                          .time_since_epoch() / std::chrono::microseconds(1);
    const auto morning = (sys_days{2026_y / November / 26} + std::chrono::hours(8))
                             .time_since_epoch() / std::chrono::microseconds(1);
    CHECK(after_quiet(late, q, london) == morning);
    const auto noon = late - 10 * 3600 * s;
    CHECK(after_quiet(noon, q, london) == noon);
    const config::group_timing g{std::chrono::seconds(0), std::chrono::seconds(0)};
    CHECK(plan_next({alert(1, 3, late)}, std::nullopt, g, q, london).due_at == morning);
    CHECK(plan_next({alert(1, 4, late)}, std::nullopt, g, q, london).due_at == late);
}

TEST_CASE("a digest counts its changes and names the highest level", "[channel]") {
    const auto d = build_digest({event(7, 3, "firing"), event(8, 4, "firing", "C82002"),
                                 event(9, 3, "resolved"), "not json"},
                                practices);
    CHECK(d.lines.size() == 3);
    CHECK(d.headline() == "OPEL 4: 2 new, 1 resolved");
    CHECK(d.lines[0].practice == "Example Surgery");
    CHECK(d.lines[0].pcn == "Example North PCN");
    CHECK(d.lines[0].place == "county");
    // A PCN's row names its place too.
    auto pcn = boost::json::parse(event(10, 3, "firing"));
    pcn.at("data").as_object()["scope"] = "pcn";
    pcn.at("data").as_object()["subject"] = "Example North PCN";
    const auto group = build_digest({boost::json::serialize(pcn)}, practices);
    CHECK(group.lines.at(0).pcn == "Example North PCN");
    CHECK(group.lines.at(0).place == "county");
    CHECK(d.first_seq == 7);
    CHECK(d.last_seq == 9);
}

TEST_CASE("a digest mail has the headers, a text and an HTML part", "[channel]") {
    const auto d = build_digest({event(7, 4, "firing")}, practices);
    const auto mail = digest_mail(d, context());
    for (const auto* h : {"Subject: OPEL 4: 1 new\r\n", "Auto-Submitted: auto-generated\r\n",
                          "List-Id: ", "Message-ID: <opeld.", "Date: ", "To: team@example.nhs.uk",
                          "multipart/alternative", "text/plain; charset=utf-8",
                          "text/html; charset=utf-8"})
        CHECK(mail.find(h) != std::string::npos);
    // The same rows make the same Message-ID: a retried digest is recognisable.
    CHECK(digest_mail(d, context()).find("Message-ID") == mail.find("Message-ID"));
}

TEST_CASE("a summary mail is its own message with the CSV attached", "[channel]") {
    const boost::json::object summary{{"date", "2026-11-25"},
                                      {"system", boost::json::object{{"level", 3}}}};
    const auto mail = summary_mail(summary, context());
    CHECK(mail.find("Subject: OPEL daily summary 2026-11-25: system OPEL 3\r\n") !=
          std::string::npos);
    CHECK(mail.find("multipart/mixed") != std::string::npos);
    CHECK(mail.find("filename=\"opel-summary-2026-11-25.csv\"") != std::string::npos);
}

TEST_CASE("a summary mail names themes as the rules file does, in its page and CSV",
          "[channel]") {
    const boost::json::object summary{
        {"date", "2026-11-25"},
        {"system", boost::json::object{{"level", 3}}},
        {"themes", boost::json::array{boost::json::object{{"theme", "ari"}, {"count", 2}}}}};
    auto c = context();
    c.themes.entries = {{"ari", "Acute respiratory infection (ARI)"}};
    auto mail = summary_mail(summary, c);
    // The parts are base64 in lines: joined, each is the encoding of its form.
    for (auto at = mail.find("\r\n"); at != std::string::npos; at = mail.find("\r\n", at))
        mail.erase(at, 2);
    const auto html = opel::summary::render_daily_html(summary, nullptr, c.themes);
    const auto csv = opel::summary::render_daily_csv(summary, c.themes);
    CHECK(html.find("<td>Acute respiratory infection (ARI)</td>") != std::string::npos);
    CHECK(csv.find("support_requested,Acute respiratory infection (ARI)\r\n") !=
          std::string::npos);
    CHECK(mail.find(core::base64(html)) != std::string::npos);
    CHECK(mail.find(core::base64(csv)) != std::string::npos);
}

TEST_CASE("a Teams digest is one Adaptive Card in a message", "[channel]") {
    const auto d = build_digest({event(7, 4, "firing")}, practices);
    const auto v = boost::json::parse(digest_teams(d, context()));
    CHECK(v.at("type") == "message");
    const auto& att = v.at("attachments").as_array().at(0);
    CHECK(att.at("contentType") == "application/vnd.microsoft.card.adaptive");
    const auto& card = att.at("content");
    CHECK(card.at("type") == "AdaptiveCard");
    CHECK(card.at("body").as_array().at(1).at("style") == "attention");
    CHECK(card.at("actions").as_array().at(0).at("url") == "https://opel.example.nhs.uk/");
}

TEST_CASE("a Slack digest is text and blocks, at most 40 alerts shown", "[channel]") {
    std::vector<std::string> bodies;
    for (int i = 1; i <= 45; ++i)
        bodies.push_back(event(i, 4, "firing"));
    const auto v = boost::json::parse(digest_slack(build_digest(bodies, practices), context()));
    CHECK(v.at("text") == "OPEL 4: 45 new");
    const auto& blocks = v.at("blocks").as_array();
    CHECK(blocks.at(0).at("type") == "header");
    CHECK(blocks.size() == 1 + 40 + 1 + 1); // header, 40 alerts, "5 more", the link
}

TEST_CASE("an SMS is cut to its limit", "[channel]") {
    std::vector<std::string> bodies;
    for (int i = 1; i <= 100; ++i)
        bodies.push_back(event(i, 4, "firing"));
    const auto text = digest_sms(build_digest(bodies, practices), 160);
    CHECK(text.size() <= 160 + 10);
    CHECK(text.rfind("OPEL 4: 100 new", 0) == 0);
}

TEST_CASE("Notify's JWT is HS256 with iss and iat, signed with the secret", "[channel]") {
    const auto jwt = notify_jwt("26785a09-ab16-4eb0-8407-a37497a57506",
                                "3d844edf-8d35-48ac-975b-e847b4f122b0",
                                core::time_point{std::chrono::seconds(1795600000)});
    const auto first = jwt.find('.');
    const auto second = jwt.find('.', first + 1);
    REQUIRE(second != std::string::npos);
    CHECK(jwt.substr(0, first) == core::base64url(R"({"typ":"JWT","alg":"HS256"})"));
    const auto mac = core::hmac_sha256("3d844edf-8d35-48ac-975b-e847b4f122b0",
                                       jwt.substr(0, second));
    CHECK(jwt.substr(second + 1) ==
          core::base64url(std::string(reinterpret_cast<const char*>(mac.data()), mac.size())));
    const auto body = boost::json::parse(notify_body("07700900123", "t-1", "OPEL 4"));
    CHECK(body.at("personalisation").at("message") == "OPEL 4");
    CHECK(notify_error(R"({"errors":[{"error":"BadRequestError","message":"bad number"}]})") ==
          "BadRequestError: bad number");
}

namespace {

/// An alert event as the store publishes it: with its evidence, and when
/// acknowledged, who and the note.
std::string alert_with(std::int64_t seq, const std::string& state,
                       boost::json::array evidence, const std::string& ack_note = "") {
    auto v = boost::json::parse(event(seq, 4, state));
    auto& data = v.as_object().at("data").as_object();
    data["evidence"] = std::move(evidence);
    if (state == "acknowledged") {
        data["acknowledged_by"] = "primary care team";
        data["note"] = ack_note;
    }
    return boost::json::serialize(v);
}

std::string escalation(std::int64_t seq, int level) {
    return boost::json::serialize(boost::json::object{
        {"seq", seq},
        {"topic", "escalation.system"},
        {"time", "2026-11-25T10:05:00Z"},
        {"data", boost::json::object{{"id", 1},
                                     {"title", "General practice at OPEL " +
                                                   std::to_string(level)},
                                     {"message", "ARI and Strep A demand on a short workforce"},
                                     {"level", level},
                                     {"themes", boost::json::array{"ari", "strep_a"}},
                                     {"practices", boost::json::array{"C82001", "C82999"}},
                                     {"by", "primary care team"},
                                     {"created_at", "2026-11-25T10:05:00Z"}}}});
}

/// The text of every TextBlock of a Teams body, joined by newlines.
std::string card_text(const std::string& teams) {
    std::string out;
    const auto v = boost::json::parse(teams);
    const auto& body = v.at("attachments").at(0).at("content").at("body").as_array();
    for (const auto& b : body) {
        if (b.at("type") == "TextBlock")
            out += std::string(b.at("text").as_string()) + "\n";
        else
            for (const auto& i : b.at("items").as_array())
                out += std::string(i.at("text").as_string()) + "\n";
    }
    return out;
}

std::string decoded(const std::string& mail, const std::string& type) {
    auto part = test::mail_part(mail, type);
    REQUIRE_FALSE(part.empty());
    return part;
}

} // namespace

TEST_CASE("a digest row names the practice's note and the acknowledgement", "[channel]") {
    const std::vector<std::string> bodies{
        alert_with(7, "firing", {3, 11, 5}),
        alert_with(8, "acknowledged", {12}, "we will call you at 10"),
    };
    CHECK(note_sources(bodies) == std::vector<std::int64_t>{11, 12});
    const std::map<std::int64_t, std::string> notes{{11, "Two GPs off sick & no locum"},
                                                    {3, "an older note"}};
    const auto d = build_digest(bodies, practices, notes);
    REQUIRE(d.lines.size() == 2);
    CHECK(d.lines[0].note == "Two GPs off sick & no locum");
    CHECK(d.lines[1].note.empty());
    CHECK(d.lines[1].acknowledged_by == "primary care team");
    const auto mail = digest_mail(d, context());
    const auto text = decoded(mail, "text/plain");
    CHECK(text.find("Note from the practice: Two GPs off sick & no locum") != std::string::npos);
    CHECK(text.find("Acknowledged by primary care team: we will call you at 10") !=
          std::string::npos);
    const auto html = decoded(mail, "text/html");
    CHECK(html.find("<th align=\"left\">Note</th>") != std::string::npos);
    CHECK(html.find("Note from the practice: Two GPs off sick &amp; no locum") !=
          std::string::npos);
    CHECK(html.find("Example North PCN") != std::string::npos);
    CHECK(html.find("<a href=\"https://opel.example.nhs.uk/\">") != std::string::npos);
    CHECK(card_text(digest_teams(d, context())).find("Note from the practice: Two GPs") !=
          std::string::npos);
    CHECK(digest_slack(d, context()).find("Two GPs off sick &amp; no locum") !=
          std::string::npos);
}

TEST_CASE("a note the rule's message already quotes is not told again beside it", "[channel]") {
    line l;
    l.note = "Two GPs off sick, no locum.";
    l.message = "Aldermere Surgery reported OPEL 4. Note: Two GPs off sick, no locum.";
    CHECK(line_notes(l).empty());
    l.message = "Aldermere Surgery reported OPEL 4.";
    CHECK(line_notes(l) ==
          std::vector<std::string>{"Note from the practice: Two GPs off sick, no locum."});
    l.note = " . ";
    CHECK(line_notes(l).empty());
}

TEST_CASE("an escalation to the system is a line of its own, counted apart", "[channel]") {
    auto c = context();
    c.themes.entries = {{"ari", "Acute respiratory infection (ARI)"}, {"strep_a", "Strep A"}};
    const auto d = build_digest({event(7, 3, "firing"), escalation(8, 4)}, practices);
    REQUIRE(d.lines.size() == 2);
    CHECK(d.highest == 4);
    CHECK(d.raised == 1);
    CHECK(d.escalated == 1);
    CHECK(d.headline() == "OPEL 4: 1 new, 1 escalation to the system");
    CHECK(build_digest({escalation(8, 3), escalation(9, 2)}, practices).headline() ==
          "OPEL 3: 2 escalations to the system");
    const auto& l = d.lines[1];
    CHECK(l.escalation);
    CHECK(who(l) == "Escalation to the system");
    CHECK(l.practices == std::vector<std::string>{"Example Surgery (C82001)", "C82999"});

    const auto mail = digest_mail(d, c);
    CHECK(mail.find("Subject: OPEL 4: 1 new, 1 escalation to the system\r\n") !=
          std::string::npos);
    const auto text = decoded(mail, "text/plain");
    CHECK(text.find("OPEL 4 escalated: Escalation to the system\r\n"
                    "    General practice at OPEL 4. ARI and Strep A demand") !=
          std::string::npos);
    CHECK(text.find("    Sent by primary care team\r\n") != std::string::npos);
    CHECK(text.find("    Practices: Example Surgery (C82001), C82999\r\n") != std::string::npos);
    CHECK(text.find("    Themes: Acute respiratory infection (ARI), Strep A\r\n") !=
          std::string::npos);
    CHECK(decoded(mail, "text/html").find("Themes: Acute respiratory infection (ARI)") !=
          std::string::npos);

    const auto card = boost::json::parse(digest_teams(d, c));
    const auto& body = card.at("attachments").at(0).at("content").at("body").as_array();
    CHECK(body.at(2).at("style") == "attention");
    CHECK(card_text(digest_teams(d, c)).find("OPEL 4 escalated: Escalation to the system") !=
          std::string::npos);
    CHECK(digest_slack(d, c).find("Themes: Acute respiratory infection (ARI), Strep A") !=
          std::string::npos);
    CHECK(digest_sms(d).find("; escalated to the system at OPEL 4: General practice at OPEL 4") !=
          std::string::npos);
}

TEST_CASE("an escalation is timed by its level, as an alert is", "[channel]") {
    using namespace date;
    CHECK(item_level("escalation.system", escalation(8, 4)) == 4);
    CHECK(item_level("escalation.system", "not json") == 0);
    CHECK(item_level("alert.L3.practice.C82001", "") == 3);
    const auto* london = locate_zone("Europe/London");
    const config::quiet_hours q{std::chrono::hours(20), std::chrono::hours(8), 4};
    const auto late = (sys_days{2026_y / November / 25} + std::chrono::hours(22))
                          .time_since_epoch() / std::chrono::microseconds(1);
    const config::group_timing g{std::chrono::seconds(30), std::chrono::seconds(300)};
    const pending_item four{8, "escalation.system", late, late, 4};
    const pending_item three{9, "escalation.system", late, late, 3};
    // A level 4 escalation goes through the quiet hours and does not wait
    // out the interval; a level 3 one waits for the morning.
    CHECK(plan_next({four}, late - 10 * s, g, q, london).due_at == late + 30 * s);
    CHECK(plan_next({three}, late - 10 * s, g, q, london).due_at > late + 8 * 3600 * s);
}

TEST_CASE("the summary is a short card: system level, places, pressured and not reporting",
          "[channel]") {
    const boost::json::object summary{
        {"date", "2026-11-25"},
        {"system", boost::json::object{{"level", 3}}},
        {"by_place", boost::json::object{{"city", boost::json::object{{"level", 4}}},
                                         {"rutland", boost::json::object{{"level", nullptr}}}}},
        {"pressured", boost::json::array{boost::json::object{{"code", "C82001"}},
                                         boost::json::object{{"code", "C82002"}}}},
        {"not_reporting", boost::json::array{"C82003"}}};
    const auto text = card_text(summary_teams(summary, context()));
    CHECK(text == "OPEL daily summary 2026-11-25: system OPEL 3\ncity: OPEL 4\n"
                  "rutland: not known\nPractices at OPEL 3 or 4: 2\nNot reporting: 1\n");
    const auto teams = boost::json::parse(summary_teams(summary, context()));
    CHECK(teams.at("attachments").at(0).at("content").at("actions").at(0).at("url") ==
          "https://opel.example.nhs.uk/");
    const auto slack = boost::json::parse(summary_slack(summary, context()));
    CHECK(slack.at("text") == "OPEL daily summary 2026-11-25: system OPEL 3");
    CHECK(std::string(slack.at("blocks").at(1).at("text").at("text").as_string()) ==
          "city: OPEL 4\nrutland: not known\nPractices at OPEL 3 or 4: 2\nNot reporting: 1\n"
          "<https://opel.example.nhs.uk/|Open the dashboard>");
    CHECK(summary_sms(summary) == "OPEL daily summary 2026-11-25: system OPEL 3; city: OPEL 4; "
                                  "rutland: not known; Practices at OPEL 3 or 4: 2; "
                                  "Not reporting: 1");
}
