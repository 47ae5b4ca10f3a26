// People-facing kinds through the app: a real SMTP server (aiosmtpd) with and
// without STARTTLS, and HTTP receivers that check the Teams, Slack and
// Notify shapes and Notify's JWT. Digests are driven by the manual clock and
// run_timers(); waits are on the receivers with a timeout.
#include "channel/notify.hpp"
#include "core/crypto.hpp"
#include "support/smtp_server.hpp"
#include "support/webhook_receiver.hpp"

using namespace opel::test;
using namespace opel::test::webhook_support;
using namespace std::chrono_literals;

namespace {

const std::string notify_service = "26785a09-ab16-4eb0-8407-a37497a57506";
const std::string notify_secret = "3d844edf-8d35-48ac-975b-e847b4f122b0";

std::string email_subscriber(const std::string& name = "inbox") {
    return "  - name: " + name +
           "\n    kind: email\n    to: [team@example.nhs.uk]\n"
           "    audiences: [primary_care_team]\n";
}

std::string smtp_section(std::uint16_t port, const std::string& starttls,
                         const std::string& ca = "") {
    return "smtp:\n  host: 127.0.0.1\n  port: " + std::to_string(port) +
           "\n  from: opeld@example.nhs.uk\n  starttls: " + starttls + "\n" +
           (ca.empty() ? "" : "  ca_file: " + ca + "\n");
}

config_options with(const std::string& subscribers, const std::string& more = "") {
    return config_options{.extra = "public_url: https://opel.example.nhs.uk/\nsubscribers:\n" +
                                   subscribers + more};
}

/// Lets the digest's wait pass and sends what is due.
void after_wait(test_daemon& d) {
    d.daemon().run_timers().wait();
    d.clock().advance(31s);
    d.daemon().run_timers().wait();
}

/// A Notify key file in `dir`.
std::string notify_key(const std::filesystem::path& dir) {
    const auto file = dir / "notify.key";
    std::ofstream(file) << "opeld_test-" << notify_service << "-" << notify_secret << "\n";
    return file.string();
}

} // namespace

TEST_CASE("an email subscriber gets alerts as one digest mail over STARTTLS", "[channels]") {
    temp_dir dir;
    const auto tls = make_certificate(dir.path());
    smtp_server smtp(dir.path(), tls);
    test_daemon d(with(email_subscriber(),
                       smtp_section(smtp.port(), "required", tls.first.string())));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "inbox");
    d.daemon().run_timers().wait();
    CHECK(smtp.mails().empty()); // not before group.wait
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
    d.daemon().run_timers().wait();
    const auto mail = smtp.mails().at(0);
    CHECK(mail_header(mail, "Subject").rfind("OPEL 4: ", 0) == 0);
    CHECK(mail_header(mail, "Auto-Submitted") == "auto-generated");
    CHECK_FALSE(mail_header(mail, "List-Id").empty());
    CHECK_FALSE(mail_header(mail, "Message-ID").empty());
    const auto text = mail_part(mail, "text/plain");
    CHECK(text.find("C82001") != std::string::npos);
    CHECK(text.find("C82002") != std::string::npos);
    CHECK(text.find("https://opel.example.nhs.uk/") != std::string::npos);
    CHECK(mail_part(mail, "text/html").find("<table") != std::string::npos);
    const auto s = standing(c, "inbox");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("kind") == "email");
    CHECK(s.at("target").as_string() == "smtp://127.0.0.1:" + std::to_string(smtp.port()));
    CHECK(s.at("last_delivery").is_string());
    CHECK(pending >= 2);
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    CHECK(smtp.mails().size() == 1); // nothing twice
}

TEST_CASE("starttls: off mails through a plain relay, required refuses it", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    {
        test_daemon d(with(email_subscriber(), smtp_section(smtp.port(), "required")));
        auto c = d.client();
        submit(c, 4);
        after_wait(d);
        d.daemon().run_timers().wait(); // a barrier behind the failure being written
        const auto s = standing(c, "inbox");
        CHECK(s.at("pending").as_int64() >= 1);
        CHECK(s.at("last_failure").is_string());
        CHECK(smtp.mails().empty());
    }
    test_daemon d(with(email_subscriber(), smtp_section(smtp.port(), "off")));
    auto c = d.client();
    submit(c, 4);
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
}

TEST_CASE("starttls: optional mails over STARTTLS where offered, in plain where not",
          "[channels]") {
    // This relay takes a mail only after STARTTLS: a mail there proves it was used.
    temp_dir secure_dir;
    const auto tls = make_certificate(secure_dir.path());
    smtp_server secure(secure_dir.path(), tls);
    {
        test_daemon d(with(email_subscriber(),
                           smtp_section(secure.port(), "optional", tls.first.string())));
        auto c = d.client();
        submit(c, 4);
        after_wait(d);
        REQUIRE(secure.wait_for(1));
    }
    // This one offers no STARTTLS: the mail goes in plain rather than not at all.
    temp_dir plain_dir;
    smtp_server plain(plain_dir.path());
    test_daemon d(with(email_subscriber(), smtp_section(plain.port(), "optional")));
    auto c = d.client();
    submit(c, 4);
    after_wait(d);
    REQUIRE(plain.wait_for(1));
    CHECK(mail_header(plain.mails().at(0), "Subject").rfind("OPEL 4: ", 0) == 0);
}

TEST_CASE("the daily summary is a mail of its own with the CSV attached", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    test_daemon d(with(email_subscriber(), smtp_section(smtp.port(), "off")));
    auto c = d.client();
    REQUIRE(c.post("/v1/summaries/daily?date=2026-11-25", "", admin_token).status == 201);
    d.daemon().run_timers().wait();
    REQUIRE(smtp.wait_for(1));
    const auto mail = smtp.mails().at(0);
    CHECK(mail_header(mail, "Subject").rfind("OPEL daily summary 2026-11-25", 0) == 0);
    CHECK(mail.find("multipart/mixed") != std::string::npos);
    CHECK(mail.find("filename=\"opel-summary-2026-11-25.csv\"") != std::string::npos);
    CHECK(mail_part(mail, "text/html").find("<html") != std::string::npos);
}

TEST_CASE("a storm of 300 level-4 reports makes at most a few mails", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    test_daemon d(with(email_subscriber("one") + email_subscriber("two"),
                       smtp_section(smtp.port(), "off")));
    auto c = d.client();
    const auto codes = c.get("/v1/status", team_token).json().at("practices").as_array();
    for (int i = 0; i < 300; ++i)
        submit(c, 4, std::string(codes.at(i % codes.size()).at("code").as_string()));
    for (int round = 0; round < 4; ++round) {
        d.daemon().run_timers().wait();
        d.clock().advance(round == 0 ? 31s : 6min);
        d.daemon().run_timers().wait();
    }
    d.daemon().run_timers().wait();
    CHECK(standing(c, "one").at("pending") == 0);
    CHECK(standing(c, "two").at("pending") == 0);
    const auto mails = smtp.mails();
    CHECK(mails.size() >= 2);
    CHECK(mails.size() <= 6); // at most three a subscriber
}

TEST_CASE("Teams, Slack and Notify get their own shapes, Notify with a valid JWT",
          "[channels]") {
    temp_dir dir;
    receiver r;
    const auto key = notify_key(dir.path());
    const auto base = "http://127.0.0.1:" + std::to_string(r.port());
    test_daemon d(with("  - name: teams\n    kind: teams\n    url: " + r.url() +
                       "/teams\n    audiences: [primary_care_team]\n"
                       "  - name: slack\n    kind: slack\n    url: " + r.url() +
                       "/slack\n    audiences: [primary_care_team]\n"
                       "  - name: sms\n    kind: notify\n    api_key_file: " + key +
                       "\n    template_id: f33517ff-2a88-4f6e-b855-c550268ce08a\n"
                       "    phone_numbers: [\"07700900123\", \"07700900456\"]\n"
                       "    base_url: " + base + "\n    audiences: [control_room]\n"));
    auto c = d.client();
    submit(c, 4);
    after_wait(d);
    REQUIRE(r.wait_for(4));
    const auto now_s = std::chrono::duration_cast<std::chrono::seconds>(
                           d.clock().now().time_since_epoch()).count();
    int teams = 0, slack = 0, sms = 0;
    for (const auto& got : r.requests()) {
        const auto body = boost::json::parse(got.body);
        CHECK(got.content_type == "application/json");
        if (got.target == "/hook/teams") {
            ++teams;
            CHECK(body.at("type") == "message");
            const auto& att = body.at("attachments").as_array().at(0);
            CHECK(att.at("contentType") == "application/vnd.microsoft.card.adaptive");
            CHECK(att.at("content").at("type") == "AdaptiveCard");
        } else if (got.target == "/hook/slack") {
            ++slack;
            CHECK(std::string(body.at("text").as_string()).rfind("OPEL 4: ", 0) == 0);
            CHECK(body.at("blocks").as_array().size() >= 2);
        } else {
            ++sms;
            CHECK(got.target == "/v2/notifications/sms");
            CHECK(body.at("template_id") == "f33517ff-2a88-4f6e-b855-c550268ce08a");
            CHECK(std::string(body.at("personalisation").at("message").as_string())
                      .rfind("OPEL 4", 0) == 0);
            REQUIRE(got.authorization.rfind("Bearer ", 0) == 0);
            CHECK(got.authorization.substr(7) ==
                  opel::channel::notify_jwt(notify_service, notify_secret, d.clock().now()));
            CHECK(now_s > 0);
        }
    }
    CHECK(teams == 1);
    CHECK(slack == 1);
    CHECK(sms == 2);
}

TEST_CASE("Notify's 4xx is a failure that is not retried", "[channels]") {
    temp_dir dir;
    receiver r({400});
    const auto key = notify_key(dir.path());
    test_daemon d(with("  - name: sms\n    kind: notify\n    api_key_file: " + key +
                       "\n    template_id: t-1\n    phone_numbers: [\"07700900123\"]\n"
                       "    base_url: http://127.0.0.1:" + std::to_string(r.port()) +
                       "\n    audiences: [control_room]\n"));
    auto c = d.client();
    submit(c, 4);
    after_wait(d);
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    const auto s = standing(c, "sms");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("failed").as_int64() >= 1);
    CHECK(std::string(s.at("last_failure").as_string()).find("Notify HTTP 400") == 0);
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    CHECK(r.requests().size() == 1);
}

TEST_CASE("a sink that was down gets everything once when it is back", "[channels]") {
    receiver r({}, 503);
    test_daemon d(with("  - name: slack\n    kind: slack\n    url: " + r.url() +
                       "\n    audiences: [primary_care_team]\n"));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "slack");
    after_wait(d);
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    submit(c, 4, "C82003"); // comes while the sink is down
    const auto more = standing(c, "slack").at("pending").as_int64();
    const auto failed = r.requests().size();
    r.set_fallback(200);
    for (int i = 0; i < 3; ++i) {
        d.daemon().run_timers().wait();
        d.clock().advance(10min);
        d.daemon().run_timers().wait();
    }
    d.daemon().run_timers().wait();
    CHECK(standing(c, "slack").at("pending") == 0);
    // Every request since the sink came back was answered 200: together
    // they hold each pending alert change once (header and link aside).
    const auto all = r.requests();
    std::size_t lines = 0;
    for (auto i = failed; i < all.size(); ++i)
        lines += boost::json::parse(all[i].body).at("blocks").as_array().size() - 2;
    CHECK(lines == static_cast<std::size_t>(more));
    CHECK(more > static_cast<std::int64_t>(pending));
}

TEST_CASE("a restart in the middle of a digest loses and repeats nothing", "[channels]") {
    receiver r;
    const auto sub = "  - name: slack\n    kind: slack\n    url: " + r.url() +
                     "\n    audiences: [primary_care_team]\n";
    auto first = std::make_unique<test_daemon>(with(sub));
    std::int64_t pending = 0;
    {
        auto c = first->client();
        pending = static_cast<std::int64_t>(two_alerts_pending(c, "slack"));
    }
    first->daemon().run_timers().wait();
    first->stop(); // before the digest was due: its rows are on disk only
    CHECK(r.requests().empty());
    {
        test_daemon second(*first, test_epoch() + 31s);
        second.daemon().run_timers().wait();
        REQUIRE(r.wait_for(1));
        second.daemon().run_timers().wait();
        const auto body = boost::json::parse(r.requests().at(0).body);
        CHECK(static_cast<std::int64_t>(body.at("blocks").as_array().size()) - 2 == pending);
        auto c = second.client();
        CHECK(standing(c, "slack").at("pending") == 0);
    }
    test_daemon third(*first, test_epoch() + 20min);
    third.daemon().run_timers().wait();
    third.daemon().run_timers().wait();
    CHECK(r.requests().size() == 1);
}

TEST_CASE("POST /v1/subscribers/{name}/test sends a test message", "[channels]") {
    receiver r;
    test_daemon d(with("  - name: team slack\n    kind: slack\n    url: " + r.url() +
                       "/T0K3N\n    audiences: [primary_care_team]\n"));
    auto c = d.client();
    const auto a = c.post("/v1/subscribers/team%20slack/test", "", admin_token);
    REQUIRE(a.status == 200);
    CHECK(a.json().at("delivered") == true);
    REQUIRE(r.wait_for(1));
    CHECK(r.requests().at(0).body.find("Test message") != std::string::npos);
    CHECK(c.post("/v1/subscribers/nobody/test", "", admin_token).status == 404);
    CHECK(c.post("/v1/subscribers/team%20slack/test", "", team_token).status == 403);
    const auto s = standing(c, "team slack");
    CHECK(s.at("kind") == "slack");
    CHECK(s.at("target").as_string() == "http://127.0.0.1:" + std::to_string(r.port()));
    CHECK(c.get("/v1/subscribers", team_token).body.find("T0K3N") == std::string::npos);
    CHECK(s.at("pending") == 0); // a test is no delivery of the outbox
}

TEST_CASE("a digest mail names the practice's note from its report, once", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    test_daemon d(with(email_subscriber(), smtp_section(smtp.port(), "off")));
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions",
                   R"({"practice":"C82001","level":4,"note":"Two GPs off sick, no locum"})",
                   admin_token)
                .status == 201);
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
    const auto mail = smtp.mails().at(0);
    const auto times = [](const std::string& s, const std::string& what) {
        int n = 0;
        for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1))
            ++n;
        return n;
    };
    // The level-4 rule's message quotes the note ("Note: {note}."), so the
    // row tells it there and not again in its Note column.
    const auto text = mail_part(mail, "text/plain");
    CHECK(times(text, "Two GPs off sick, no locum") == 1);
    CHECK(text.find("Note: Two GPs off sick, no locum.") != std::string::npos);
    const auto html = mail_part(mail, "text/html");
    CHECK(html.find("Aldermere Surgery (C82001)") != std::string::npos);
    CHECK(html.find("Larkspur Central PCN") != std::string::npos);
    CHECK(times(html, "Two GPs off sick, no locum") == 1);
    CHECK(html.find("Note from the practice") == std::string::npos);
    CHECK(html.find("https://opel.example.nhs.uk/") != std::string::npos);
}

TEST_CASE("an escalation reaches the control room's mail, card and text, whatever min_level",
          "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    receiver r;
    const auto key = notify_key(dir.path());
    test_daemon d(with(
        "  - name: room inbox\n    kind: email\n    to: [room@example.nhs.uk]\n"
        "    audiences: [control_room]\n    min_level: 4\n" +
            email_subscriber("team inbox") + "  - name: room teams\n    kind: teams\n    url: " +
            r.url() + "/teams\n    audiences: [control_room]\n    min_level: 4\n" +
            "  - name: on call\n    kind: notify\n    api_key_file: " + key +
            "\n    template_id: t-1\n    phone_numbers: [\"07700900123\"]\n"
            "    base_url: http://127.0.0.1:" + std::to_string(r.port()) +
            "\n    audiences: [control_room]\n",
        smtp_section(smtp.port(), "off")));
    auto c = d.client();
    REQUIRE(c.post("/v1/escalations",
                   R"({"title":"General practice at OPEL 3","message":"ARI demand is rising",)"
                   R"("level":3,"themes":["ari"],"practices":["C82001"]})",
                   team_token)
                .status == 201);
    CHECK(standing(c, "team inbox").at("pending") == 0); // not the control room's
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
    REQUIRE(r.wait_for(2));
    d.daemon().run_timers().wait();
    const auto mail = smtp.mails().at(0);
    CHECK(mail_header(mail, "Subject") == "OPEL 3: 1 escalation to the system");
    CHECK(mail_header(mail, "To") == "room@example.nhs.uk");
    const auto text = mail_part(mail, "text/plain");
    CHECK(text.find("OPEL 3 escalated: Escalation to the system") != std::string::npos);
    CHECK(text.find("Practices: Aldermere Surgery (C82001)") != std::string::npos);
    CHECK(text.find("Themes: Acute respiratory infection (ARI)") != std::string::npos);
    for (const auto& got : r.requests()) {
        if (got.target == "/hook/teams") {
            CHECK(got.body.find("General practice at OPEL 3") != std::string::npos);
            CHECK(got.body.find("\"style\":\"warning\"") != std::string::npos);
        } else {
            const auto body = boost::json::parse(got.body);
            CHECK(std::string(body.at("personalisation").at("message").as_string()) ==
                  "OPEL 3: 1 escalation to the system; escalated to the system at OPEL 3: "
                  "General practice at OPEL 3");
        }
    }
    CHECK(smtp.mails().size() == 1);
}

TEST_CASE("support changes are not sent to people, nor to webhooks", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    receiver r;
    const auto everyone = "    audiences: [primary_care_team, control_room, admin]\n";
    test_daemon d(with("  - name: inbox\n    kind: email\n    to: [team@example.nhs.uk]\n" +
                           std::string(everyone) + "  - name: teams\n    kind: teams\n    url: " +
                           r.url() + "\n" + everyone + "  - name: hook\n    url: " + r.url() +
                           "\n" + everyone,
                       smtp_section(smtp.port(), "off")));
    auto c = d.client();
    const auto offer = c.post("/v1/practices/C82001/support",
                              R"({"action":"locum_cover","note":"from Tuesday"})", team_token);
    REQUIRE(offer.status == 201);
    REQUIRE(c.call(boost::beast::http::verb::patch,
                   "/v1/support/" + std::to_string(offer.json().at("id").as_int64()),
                   R"({"state":"agreed"})", team_token)
                .status == 200);
    REQUIRE(c.get("/v1/events?topic=support.", admin_token).json().at("events").as_array().size() ==
            2);
    for (const auto* name : {"inbox", "teams", "hook"}) {
        INFO(name);
        CHECK(standing(c, name).at("pending") == 0);
        CHECK(standing(c, name).at("failed") == 0);
    }
    after_wait(d);
    CHECK(smtp.mails().empty());
    CHECK(r.requests().empty());
}

TEST_CASE("a test message is audited with who sent it and how it went", "[channels]") {
    receiver r({}, 503);
    test_daemon d(with("  - name: team slack\n    kind: slack\n    url: " + r.url() +
                       "\n    audiences: [primary_care_team]\n"));
    auto c = d.client();
    const auto a = c.post("/v1/subscribers/team%20slack/test", "", admin_token);
    REQUIRE(a.status == 200);
    CHECK(a.json().at("delivered") == false);
    REQUIRE(c.post("/v1/subscribers/nobody/test", "", admin_token).status == 404);
    const auto log = c.get("/v1/audit", admin_token).json().at("entries").as_array();
    REQUIRE(log.size() == 1);
    CHECK(log[0].at("action") == "subscriber.test");
    CHECK(log[0].at("target") == "team slack");
    CHECK(log[0].at("actor") == "admin");
    CHECK(log[0].at("status") == 200);
    CHECK(log[0].at("detail").at("delivered") == false);
    CHECK(std::string(log[0].at("detail").at("error").as_string()).find("503") !=
          std::string::npos);
}

TEST_CASE("a card subscriber failing for an hour raises the admin alert, as a webhook does",
          "[channels]") {
    receiver r({}, 503);
    test_daemon d(with("  - name: slack\n    kind: slack\n    url: " + r.url() +
                       "\n    audiences: [primary_care_team]\n"));
    auto c = d.client();
    const auto raised = [&] {
        return c.get("/v1/events?topic=alert.L3.system.slack", admin_token)
            .json()
            .at("events")
            .as_array()
            .size();
    };
    submit(c, 4);
    after_wait(d);
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    CHECK(raised() == 0);
    d.clock().advance(61min);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    REQUIRE(raised() == 1);
    const auto alert = c.get("/v1/events?topic=alert.L3.system.slack", admin_token)
                           .json()
                           .at("events")
                           .at(0)
                           .at("data");
    CHECK(alert.at("rule") == "webhook-failing");
    CHECK(alert.at("subject") == "slack");
}

TEST_CASE("AUTH with the password file: the right password mails, a wrong one is a failure",
          "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path(), "opeld", "s3cret relay word");
    const auto password = dir.path() / "smtp-password";
    const auto config = [&](const std::string& word) {
        std::ofstream(password) << word << "\n";
        std::filesystem::permissions(password, std::filesystem::perms::owner_read |
                                                   std::filesystem::perms::owner_write);
        return with(email_subscriber(), smtp_section(smtp.port(), "off") +
                                            "  username: opeld\n  password_file: " +
                                            password.string() + "\n");
    };
    {
        test_daemon d(config("not the word"));
        auto c = d.client();
        submit(c, 4);
        after_wait(d);
        d.daemon().run_timers().wait(); // a barrier behind the failure being written
        const auto s = standing(c, "inbox");
        CHECK(s.at("pending").as_int64() >= 1);
        CHECK(s.at("last_failure").is_string());
        CHECK(smtp.mails().empty());
    }
    test_daemon d(config("s3cret relay word"));
    auto c = d.client();
    submit(c, 4);
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
    d.daemon().run_timers().wait();
    CHECK(standing(c, "inbox").at("pending") == 0);
}

TEST_CASE("quiet hours hold a level 3 digest until they end, not a level 4", "[channels]") {
    temp_dir dir;
    smtp_server smtp(dir.path());
    // The test clock starts at 10:00 in London: quiet from 09:00 to 12:00.
    test_daemon d(with(email_subscriber() + "    quiet: {from: \"09:00\", to: \"12:00\"}\n",
                       smtp_section(smtp.port(), "off")));
    auto c = d.client();
    submit(c, 3);
    after_wait(d);
    d.clock().advance(90min); // 11:30: still quiet
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    CHECK(smtp.mails().empty());
    CHECK(standing(c, "inbox").at("pending").as_int64() >= 1);
    submit(c, 4, "C82002"); // a level 4 is not held, and takes the level 3 with it
    after_wait(d);
    REQUIRE(smtp.wait_for(1));
    d.daemon().run_timers().wait();
    const auto first = smtp.mails().at(0);
    CHECK(mail_header(first, "Subject").rfind("OPEL 4: ", 0) == 0);
    CHECK(mail_part(first, "text/plain").find("(C82001)") != std::string::npos);
    submit(c, 3, "C82003");
    d.clock().advance(20min); // 11:51: the interval is over, the quiet is not
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    CHECK(smtp.mails().size() == 1);
    d.clock().advance(10min); // 12:01: the quiet is over
    d.daemon().run_timers().wait();
    REQUIRE(smtp.wait_for(2));
}
