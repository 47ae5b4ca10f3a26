// Security: per-address rate limits, the failed-auth log, and what the log
// must never hold. Every case but the gatekeeper's (a unit case with a manual
// clock) runs a real daemon on loopback port 0; other loopback addresses
// (127.0.0.2, ...) stand in for other clients.
#include "app/permissions.hpp"
#include "core/crypto.hpp"
#include "service/gatekeeper.hpp"
#include "support/log_capture.hpp"
#include "support/tls_client.hpp"
#include "support/test_daemon.hpp"

#include <algorithm>
#include <fstream>
#include <functional>

using namespace opel::test;
using namespace std::chrono_literals;

namespace {

config_options address_limited(const std::string& per_address) {
    config_options o;
    o.limits = "rate: 0\n  per_address: " + per_address;
    return o;
}

std::shared_ptr<const opel::service::deployment> with_tokens(std::vector<std::string> bearers,
                                                            double rate, double burst) {
    auto cfg = std::make_shared<opel::config::config>();
    for (const auto& b : bearers)
        cfg->tokens.push_back({b + "-name", opel::core::sha256(b), opel::core::role::team, ""});
    cfg->limits.rate = rate;
    cfg->limits.burst = burst;
    return std::make_shared<const opel::service::deployment>(std::move(cfg));
}

} // namespace

TEST_CASE("the gatekeeper admits a known token within its limit, then answers 429, "
          "and counts an unknown one as a 401",
          "[security][gatekeeper]") {
    opel::core::manual_clock clock(opel::core::time_point{std::chrono::hours(1000)});
    opel::service::metrics m;
    opel::service::gatekeeper gate(clock, m);
    gate.set_deployment(with_tokens({"alpha"}, 1, 2));

    using opel::service::principal;
    using opel::service::reply;
    for (int i = 0; i < 2; ++i) {
        auto in = gate.admit("alpha", {"127.0.0.1", "/v1/status"});
        REQUIRE(std::holds_alternative<principal>(in));
        CHECK(std::get<principal>(in).name == "alpha-name");
    }
    auto limited = gate.admit("alpha", {"127.0.0.1", "/v1/submissions"});
    REQUIRE(std::holds_alternative<reply>(limited));
    CHECK(std::get<reply>(limited).status == 429);
    CHECK(std::get<reply>(limited).body.find(
              "Too many requests for this token; retry after 1 s.") != std::string::npos);
    clock.advance(1s);
    CHECK(std::holds_alternative<principal>(gate.admit("alpha")));

    CHECK(m.auth_failures == 0);
    auto unknown = gate.admit("beta", {"127.0.0.1", "/v1/status"});
    REQUIRE(std::holds_alternative<reply>(unknown));
    CHECK(std::get<reply>(unknown).status == 401);
    CHECK(std::get<reply>(gate.admit("")).status == 401);
    CHECK(m.auth_failures == 2);

    // A reload swaps the tokens whole: the old one is refused at once.
    gate.set_deployment(with_tokens({"beta"}, 0, 0));
    CHECK(std::get<reply>(gate.admit("alpha")).status == 401);
    for (int i = 0; i < 10; ++i) // rate 0: no limit
        CHECK(std::holds_alternative<principal>(gate.admit("beta")));
}

TEST_CASE("requests from one address over its limit get 429 with Retry-After, token or not",
          "[security][limits]") {
    test_daemon d(address_limited("{rate: 1, burst: 3, exempt: []}"));
    auto c = d.client();
    // Unauthenticated calls count: a flood without a token is limited too.
    for (int i = 0; i < 3; ++i)
        CHECK(c.get("/v1/status").status == 401);
    auto refused = c.get("/v1/status", team_token);
    CHECK(refused.status == 429);
    CHECK(refused.header("Retry-After") == "1");
    CHECK(refused.json().at("error").at("code") == "rate_limited");
    CHECK(refused.json().at("error").at("message") ==
          "Too many requests from this address; retry after 1 s.");
    // Even /healthz: the limit comes before any route.
    CHECK(c.get("/healthz").status == 429);

    // Another address has its own bucket.
    http_client other(d.port(), "127.0.0.2");
    CHECK(other.get("/v1/status", team_token).status == 200);

    // The bucket refills with the clock.
    d.clock().advance(1s);
    CHECK(c.get("/v1/status", team_token).status == 200);
    CHECK(c.get("/v1/status", team_token).status == 429);

    const auto metrics = c.get("/metrics");
    CHECK(metrics.status == 429); // still limited: metrics counts it below
    d.clock().advance(10s);
    CHECK(c.get("/metrics").body.find("opeld_http_address_limited_total 4") != std::string::npos);
}

TEST_CASE("a long wait is reported in whole seconds", "[security][limits]") {
    test_daemon d(address_limited("{rate: 0.1, burst: 1, exempt: []}"));
    auto c = d.client();
    CHECK(c.get("/healthz").status == 200);
    auto refused = c.get("/healthz");
    CHECK(refused.status == 429);
    CHECK(refused.header("Retry-After") == "10");
}

TEST_CASE("loopback is exempt by default and exemptions are configurable",
          "[security][limits]") {
    SECTION("default exemptions") {
        test_daemon d(address_limited("{rate: 1, burst: 1}"));
        auto c = d.client();
        for (int i = 0; i < 5; ++i)
            CHECK(c.get("/healthz").status == 200);
        http_client other(d.port(), "127.0.0.3");
        CHECK(other.get("/healthz").status == 200);
        CHECK(other.get("/healthz").status == 429);
    }
    SECTION("an IPv4 client of a dual-stack listener is known by its IPv4 address") {
        // It arrives as ::ffff:127.0.0.1, which must still match 127.0.0.1.
        auto o = address_limited("{rate: 1, burst: 1}");
        o.listen = "\"[::]:0\"";
        test_daemon d(o);
        auto c = d.client();
        for (int i = 0; i < 5; ++i)
            CHECK(c.get("/healthz").status == 200);
    }
    SECTION("rate 0 turns it off") {
        test_daemon d(address_limited("{rate: 0, exempt: []}"));
        auto c = d.client();
        for (int i = 0; i < 5; ++i)
            CHECK(c.get("/healthz").status == 200);
    }
}

TEST_CASE("per-address limits follow a reload", "[security][limits]") {
    test_daemon d(address_limited("{rate: 1, burst: 1, exempt: []}"));
    auto c = d.client();
    CHECK(c.get("/healthz").status == 200);
    CHECK(c.get("/healthz").status == 429);
    // Turn it off and reload.
    std::string text;
    {
        std::ifstream in(d.config_file());
        text.assign(std::istreambuf_iterator<char>(in), {});
    }
    const std::string before = "{rate: 1, burst: 1, exempt: []}";
    const auto at = text.find(before);
    REQUIRE(at != std::string::npos);
    text.replace(at, before.size(), "{rate: 0}");
    std::ofstream(d.config_file()) << text;
    d.daemon().reload();
    d.daemon().run_timers().get(); // queued behind the reload on the io thread
    d.clock().advance(1s);
    CHECK(c.get("/healthz").status == 200);
    for (int i = 0; i < 5; ++i)
        CHECK(c.get("/healthz").status == 200);
}

TEST_CASE("refused calls are logged with address, path and reason, never the token",
          "[security][auth_log]") {
    log_capture log;
    {
        test_daemon d;
        auto c = d.client();
        const std::string wrong = "not-a-real-token-3f9a7c";
        CHECK(c.get("/v1/status?x=" + wrong, wrong).status == 401);
        CHECK(c.get("/v1/alerts").status == 401);
        CHECK(c.post("/v1/submissions", R"({"practice":"C82001","level":2})", wrong).status ==
              401);
        CHECK(c.post("/v1/import", "", practice_token).status == 403);
        CHECK(c.post("/v1/submissions", R"({"practice":"C82002","level":2})", practice_token)
                  .status == 403);
        const auto text = log.text();
        CHECK(text.find("refused 127.0.0.1 /v1/status: 401: unknown token") != std::string::npos);
        CHECK(text.find("refused 127.0.0.1 /v1/alerts: 401: no bearer token") !=
              std::string::npos);
        CHECK(text.find("refused 127.0.0.1 /v1/submissions: 401: unknown token") !=
              std::string::npos);
        CHECK(text.find("refused 127.0.0.1 /v1/import: 403: token 'C82001 manager'") !=
              std::string::npos);
        CHECK(text.find("403: token 'C82001 manager' may not submit for C82002") !=
              std::string::npos);
        CHECK(text.find(wrong) == std::string::npos);
        CHECK(text.find(practice_token) == std::string::npos);
        CHECK(c.get("/metrics").body.find("opeld_auth_failures_total 5") != std::string::npos);
    }
}

TEST_CASE("a flood of bad tokens logs a bounded number of lines, then a count",
          "[security][auth_log]") {
    log_capture log;
    test_daemon d;
    auto c = d.client();
    for (int i = 0; i < 500; ++i)
        REQUIRE(c.get("/v1/status", "flood-" + std::to_string(i)).status == 401);
    CHECK(log.count("401: unknown token") == 20);
    d.clock().advance(5s);
    CHECK(c.get("/v1/status", "one-more").status == 401);
    CHECK(log.count("(480 more refusals not logged)") == 1);
    CHECK(log.text().find("flood-") == std::string::npos);
}

namespace {

boost::json::array audit(http_client& c, const std::string& query = "") {
    const auto a = c.get("/v1/audit" + query, admin_token);
    REQUIRE(a.status == 200);
    return a.json().at("entries").as_array();
}

const boost::json::object& find_action(const boost::json::array& entries,
                                       const std::string& action) {
    for (const auto& e : entries)
        if (e.at("action") == action.c_str())
            return e.as_object();
    FAIL("no audit entry for " << action);
    throw std::logic_error("unreachable");
}

} // namespace

TEST_CASE("acks, silences, imports and admin calls are audited with who, what and when",
          "[security][audit]") {
    test_daemon d;
    auto c = d.client();
    const auto sub = c.post("/v1/submissions", R"({"practice":"C82001","level":4})", admin_token);
    REQUIRE(sub.status == 201);
    const auto alert = sub.json().at("alerts").at(0).as_int64();
    REQUIRE(c.post("/v1/alerts/" + std::to_string(alert) + "/ack", R"({"note":"on it"})",
                   team_token).status == 200);
    CHECK(c.post("/v1/alerts/999/ack", "", control_token).status == 404);

    const auto sil = c.post("/v1/silences",
                            R"({"rule":"practice-level-4","ends_at":"2026-11-25T11:00:00Z"})",
                            team_token);
    REQUIRE(sil.status == 201);
    const auto sil_id = sil.json().at("id").as_int64();
    const auto sil2 = c.post("/v1/silences",
                             R"({"scope":"practice","ends_at":"2026-11-25T12:00:00Z"})",
                             control_token);
    REQUIRE(sil2.status == 201);
    REQUIRE(c.call(boost::beast::http::verb::delete_, "/v1/silences/" + std::to_string(sil_id),
                   {}, team_token).status == 200);

    REQUIRE(c.post("/v1/import",
                   R"({"practice":"C82001","level":2,"reported_at":"2026-11-20T09:30:00Z"})"
                   "\nnot json\n",
                   admin_token, {{"Content-Type", "application/x-ndjson"}})
                .status == 200);
    REQUIRE(c.post("/v1/summaries/daily?date=2026-11-24", "", admin_token).status == 201);

    // The second silence ends by itself at 12:00.
    d.clock().advance(std::chrono::hours(3));
    d.daemon().run_timers().get();

    const auto entries = audit(c);
    REQUIRE(entries.size() == 8);
    const auto& ack = find_action(entries, "alert.ack");
    CHECK(ack.at("actor") == "team");
    CHECK(ack.at("role") == "team");
    CHECK(ack.at("target") == std::to_string(alert).c_str());
    CHECK(ack.at("status") == 200);
    CHECK(ack.at("at") == "2026-11-25T10:00:00.000000Z");
    CHECK(ack.at("detail").at("note") == "on it");
    const auto& refused = entries.at(1).as_object();
    CHECK(refused.at("action") == "alert.ack");
    CHECK(refused.at("actor") == "control room");
    CHECK(refused.at("status") == 404);
    CHECK(refused.at("detail").at("error") == "alert_not_open");
    const auto& add = find_action(entries, "silence.add");
    CHECK(add.at("target") == std::to_string(sil_id).c_str());
    CHECK(add.at("status") == 201);
    CHECK(add.at("detail").at("rule") == "practice-level-4");
    CHECK(find_action(entries, "silence.end").at("actor") == "team");
    const auto& imp = find_action(entries, "import");
    CHECK(imp.at("actor") == "admin");
    CHECK(imp.at("role") == "admin");
    CHECK(imp.at("detail").at("imported") == 1);
    CHECK(imp.at("detail").at("rejected") == 1);
    CHECK(find_action(entries, "summary.publish").at("target") == "2026-11-24");
    const auto& expired = find_action(entries, "silence.expire");
    CHECK(expired.at("actor") == "opeld");
    CHECK(expired.at("role") == "system");
    CHECK(expired.at("target") == std::to_string(sil2.json().at("id").as_int64()).c_str());
    CHECK(expired.at("at") == "2026-11-25T13:00:00.000000Z");
    // Ids increase: the log is in the order things happened.
    for (std::size_t i = 1; i < entries.size(); ++i)
        CHECK(entries[i].at("id").as_int64() > entries[i - 1].at("id").as_int64());
}

TEST_CASE("the audit log pages like the event log and is for admin only", "[security][audit]") {
    test_daemon d;
    auto c = d.client();
    for (int i = 0; i < 5; ++i)
        REQUIRE(c.post("/v1/silences",
                       R"({"rule":"practice-level-3","ends_at":"2026-12-01T00:00:00Z"})",
                       team_token).status == 201);
    auto page = c.get("/v1/audit?limit=2", admin_token).json();
    CHECK(page.at("entries").as_array().size() == 2);
    std::vector<std::int64_t> ids;
    while (true) {
        for (const auto& e : page.at("entries").as_array())
            ids.push_back(e.at("id").as_int64());
        if (page.at("next").is_null())
            break;
        page = c.get("/v1/audit?limit=2&since_id=" + std::to_string(page.at("next").as_int64()),
                     admin_token)
                   .json();
    }
    CHECK(ids.size() == 5);
    CHECK(std::adjacent_find(ids.begin(), ids.end(), std::greater_equal<>()) == ids.end());
    CHECK(audit(c, "?since=2026-11-25T10:00:00Z").size() == 5);
    CHECK(audit(c, "?since=2026-11-25T10:00:01Z").empty());
    CHECK(c.get("/v1/audit", team_token).status == 403);
    CHECK(c.get("/v1/audit").status == 401);
    CHECK(c.get("/v1/audit?limit=0", admin_token).status == 400);
    CHECK(c.get("/v1/audit?since=yesterday", admin_token).status == 400);
    CHECK(c.get("/v1/audit?what=1", admin_token).status == 400);
}

TEST_CASE("an audit entry is there exactly when its change is: it survives a restart",
          "[security][audit]") {
    std::int64_t silence = 0;
    auto d = std::make_unique<test_daemon>();
    {
        auto c = d->client();
        const auto s = c.post("/v1/silences",
                              R"({"rule":"practice-level-3","ends_at":"2026-12-01T00:00:00Z"})",
                              team_token);
        REQUIRE(s.status == 201);
        silence = s.json().at("id").as_int64();
    }
    d->stop();
    test_daemon again(*d, test_epoch() + std::chrono::minutes(5));
    auto c = again.client();
    const auto entries = audit(c);
    REQUIRE(entries.size() == 1);
    CHECK(entries[0].at("target") == std::to_string(silence).c_str());
}

TEST_CASE("a reload is audited, refused or not", "[security][audit]") {
    test_daemon d;
    auto c = d.client();
    d.daemon().reload();
    d.daemon().run_timers().get(); // the reload has read the file
    std::ofstream(d.config_file(), std::ios::app) << "nonsense_key: 1\n";
    d.daemon().reload();
    d.daemon().run_timers().get();
    const auto entries = audit(c);
    REQUIRE(entries.size() == 2);
    CHECK(entries[0].at("action") == "config.reload");
    CHECK(entries[0].at("status") == 200);
    CHECK(entries[1].at("status") == 422);
    CHECK(entries[1].at("detail").at("errors") == 1);
}

namespace {

std::filesystem::path write_secret(const std::filesystem::path& dir, const std::string& name,
                                   const std::string& text, std::filesystem::perms mode) {
    const auto p = dir / name;
    std::ofstream(p) << text << "\n";
    std::filesystem::permissions(p, mode);
    return p;
}

using std::filesystem::perms;

} // namespace

TEST_CASE("secret files others can read or the group can write are warned about by name",
          "[security][permissions]") {
    temp_dir secrets;
    const auto open = write_secret(secrets.path(), "open.secret", "wh-open-contents-5521",
                                   perms::owner_read | perms::owner_write | perms::group_read |
                                       perms::others_read);
    const auto group = write_secret(secrets.path(), "group.secret", "wh-group-contents-9931",
                                    perms::owner_read | perms::owner_write | perms::group_write);
    const auto fine = write_secret(secrets.path(), "fine.secret", "wh-fine-contents-1207",
                                   perms::owner_read | perms::owner_write | perms::group_read);
    log_capture log;
    {
        config_options o;
        o.extra = "subscribers:\n"
                  "  - name: open\n    url: http://127.0.0.1:1/a\n    audiences: [control_room]\n"
                  "    secret_file: " + open.string() + "\n"
                  "  - name: group\n    url: http://127.0.0.1:1/b\n    audiences: [control_room]\n"
                  "    secret_file: " + group.string() + "\n"
                  "  - name: fine\n    url: http://127.0.0.1:1/c\n    audiences: [control_room]\n"
                  "    secret_file: " + fine.string() + "\n";
        test_daemon d(o);
        const auto text = log.text();
        CHECK(text.find(open.string() + " holds the webhook secret of subscriber 'open' but is "
                                        "readable by every user (mode 0644)") !=
              std::string::npos);
        CHECK(text.find(group.string() + " holds the webhook secret of subscriber 'group' but "
                                         "is writable by its group (mode 0620)") !=
              std::string::npos);
        CHECK(text.find(fine.string()) == std::string::npos);
        CHECK(text.find("contents") == std::string::npos);

        // A secret written in the config makes the config itself a secret file.
        std::ofstream(d.config_file(), std::ios::app)
            << "  - name: inline\n    url: http://127.0.0.1:1/d\n    audiences: [control_room]\n"
               "    secret: wh-inline-contents-3390\n";
        std::filesystem::permissions(d.config_file(), perms::owner_read | perms::owner_write |
                                                          perms::others_read);
        d.daemon().reload();
        d.daemon().run_timers().get();
        CHECK(log.text().find(d.config_file().string() +
                              " holds webhook secrets written in the config but is readable by "
                              "every user (mode 0604)") != std::string::npos);
    }
    CHECK(log.text().find("contents") == std::string::npos);
}

TEST_CASE("the CURVE secret key and the TLS key are among the files checked",
          "[security][permissions]") {
    opel::config::config cfg;
    cfg.zmq.curve = opel::config::curve_config{};
    cfg.zmq.curve->secret_key_file = "/etc/opeld/curve.key";
    cfg.http.tls_key = "/etc/opeld/tls.key";
    const auto files = opel::app::secret_files(cfg);
    REQUIRE(files.size() == 2);
    CHECK(files[0].what == "the CURVE secret key");
    CHECK(files[1].what == "the TLS private key");
}

TEST_CASE("config secrets and tokens never reach the log: start, reload, errors, refusals",
          "[security][secrets]") {
    temp_dir secrets;
    const std::string file_secret = "wh-file-secret-6d1e0b";
    const std::string inline_secret = "wh-inline-secret-a83c44";
    const auto secret_path = write_secret(secrets.path(), "hook.secret", file_secret,
                                          perms::owner_read | perms::owner_write);
    log_capture log;
    spdlog::set_level(spdlog::level::trace);
    {
        config_options o;
        o.extra = "subscribers:\n"
                  "  - name: from file\n    url: http://127.0.0.1:1/a\n"
                  "    audiences: [control_room]\n    secret_file: " +
                  secret_path.string() +
                  "\n"
                  "  - name: inline\n    url: http://127.0.0.1:1/b\n"
                  "    audiences: [control_room]\n    secret: " +
                  inline_secret + "\n";
        test_daemon d(o);
        auto c = d.client();
        // Calls with every token, and refusals, and deliveries that fail.
        for (const auto& t : {practice_token, other_practice_token, team_token, control_token,
                              admin_token})
            c.get("/v1/status", t);
        CHECK(c.post("/v1/submissions", R"({"practice":"C82001","level":4})", practice_token)
                  .status == 201);
        CHECK(c.post("/v1/submissions", R"({"practice":"C82002","level":4})", practice_token)
                  .status == 403);
        CHECK(c.get("/v1/status", inline_secret).status == 401);
        d.daemon().run_timers().get();
        d.clock().advance(std::chrono::minutes(1));
        d.daemon().run_timers().get();
        // A good reload, then one refused with errors next to the secrets.
        d.daemon().reload();
        d.daemon().run_timers().get();
        std::string text;
        {
            std::ifstream in(d.config_file());
            text.assign(std::istreambuf_iterator<char>(in), {});
        }
        const auto at = text.find("url: http://127.0.0.1:1/b");
        REQUIRE(at != std::string::npos);
        // A bad URL with credentials in it: the error names the URL, not them.
        text.replace(at, 25, "url: ftp://hook-user:hook-pass-91f2@nowhere\n    colour: red");
        // An operator who pastes a token where its digest goes.
        const auto tokens = text.find("tokens:\n");
        REQUIRE(tokens != std::string::npos);
        text.insert(tokens + 8, "  - name: pasted\n    sha256: " + admin_token +
                                    "\n    role: admin\n");
        std::ofstream(d.config_file()) << text;
        d.daemon().reload();
        d.daemon().run_timers().get();
        CHECK(log.text().find("reload refused") != std::string::npos);
    }
    spdlog::set_level(spdlog::level::info);
    const auto text = log.text();
    INFO(text);
    CHECK(text.find("stopped") != std::string::npos);
    for (const auto& secret : {file_secret, inline_secret, practice_token, other_practice_token,
                               team_token, control_token, admin_token,
                               std::string("hook-pass-91f2"), std::string("hook-user")})
        CHECK(text.find(secret) == std::string::npos);
    CHECK(text.find("'ftp://nowhere'") != std::string::npos);
}

namespace {

struct tls_files {
    temp_dir dir;
    std::filesystem::path cert = dir.path() / "opeld.crt";
    std::filesystem::path key = dir.path() / "opeld.key";
    explicit tls_files(const std::string& cn) { make_self_signed(cn, cert, key); }
    config_options options() const {
        config_options o;
        o.http = "  tls_cert: " + cert.string() + "\n  tls_key: " + key.string() + "\n";
        return o;
    }
};

} // namespace

TEST_CASE("HTTPS serves the API, the dashboard and the event stream", "[security][tls]") {
    tls_files files("opeld-test-a");
    test_daemon d(files.options());
    tls_client c(d.port());
    CHECK(c.peer_common_name() == "opeld-test-a");
    CHECK(c.get("/healthz").status == 200);
    CHECK(c.get("/v1/status", team_token).status == 200);
    const auto page = c.get("/");
    CHECK(page.status == 200);
    CHECK(page.header("Content-Type").find("text/html") == 0);

    // The stream: open it, then submit on another connection and see the event.
    tls_client feed(d.port());
    feed.send("GET /v1/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
              team_token + "\r\n\r\n");
    CHECK(feed.read_until(": opeld stream\n\n").find("text/event-stream") != std::string::npos);
    const auto sub = c.call(boost::beast::http::verb::post, "/v1/submissions",
                            R"({"practice":"C82001","level":3})", practice_token);
    REQUIRE(sub.status == 201);
    CHECK(feed.read_until("\"practice\":\"C82001\"").find("event: ") != std::string::npos);

    // Plain HTTP on the TLS port gets no answer, and the daemon carries on.
    http_client plain(d.port());
    CHECK(plain.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("200 OK") ==
          std::string::npos);
    CHECK(c.get("/healthz").status == 200);
}

TEST_CASE("a reload loads a new certificate without dropping the listener or open "
          "connections, and a bad one keeps the old",
          "[security][tls]") {
    tls_files files("cert-one");
    log_capture log;
    {
        test_daemon d(files.options());
        tls_client before(d.port());
        CHECK(before.peer_common_name() == "cert-one");

        make_self_signed("cert-two", files.cert, files.key);
        d.daemon().reload();
        d.daemon().run_timers().get();
        tls_client after(d.port());
        CHECK(after.peer_common_name() == "cert-two");
        CHECK(after.get("/healthz").status == 200);
        CHECK(before.get("/healthz").status == 200); // kept its session

        // A broken certificate: refused, logged, the one in force stays.
        std::ofstream(files.cert) << "-----BEGIN CERTIFICATE-----\nnot base64\n";
        d.daemon().reload();
        d.daemon().run_timers().get();
        tls_client still(d.port());
        CHECK(still.peer_common_name() == "cert-two");
        CHECK(still.get("/healthz").status == 200);
        const auto text = log.text();
        CHECK(text.find("TLS reload refused, the certificate in force stays: " +
                        files.cert.string()) != std::string::npos);
        // A key that does not match the certificate is refused too.
        tls_files other("cert-three");
        std::filesystem::copy_file(other.cert, files.cert,
                                   std::filesystem::copy_options::overwrite_existing);
        make_self_signed("unused", files.dir.path() / "x.crt", files.key);
        d.daemon().reload();
        d.daemon().run_timers().get();
        CHECK(tls_client(d.port()).peer_common_name() == "cert-two");
        CHECK(log.count("TLS reload refused, the certificate in force stays: " +
                        files.key.string()) == 1);
    }
    // The key's contents never reach the log.
    CHECK(log.text().find("PRIVATE KEY") == std::string::npos);
}

TEST_CASE("a TLS certificate that cannot be loaded stops the start with a message",
          "[security][tls]") {
    tls_files files("x");
    std::ofstream(files.key) << "nonsense\n";
    temp_dir dir;
    const auto file = write_config(dir.path(), files.options());
    auto cfg = opel::config::load_config_or_throw(file);
    opel::app::app_options opts;
    opts.handle_signals = false;
    opts.notify_systemd = false;
    try {
        opel::app::app a(std::move(cfg), opts);
        FAIL("the app started with an unusable key");
    } catch (const std::exception& e) {
        CHECK(std::string(e.what()).find(files.key.string() + ": not a usable PEM private key") !=
              std::string::npos);
    }
}

TEST_CASE("one address may hold only its share of the connections", "[security][limits]") {
    auto o = address_limited("{rate: 0, exempt: []}");
    o.http = "  max_connections: 10\n  max_connections_per_address: 2\n";
    test_daemon d(o);
    auto a = d.client();
    auto b = d.client();
    CHECK(a.get("/healthz").status == 200);
    CHECK(b.get("/healthz").status == 200);
    auto third = d.client();
    CHECK(third.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("503") != std::string::npos);
    // Another address still gets in.
    http_client other(d.port(), "127.0.0.2");
    CHECK(other.get("/healthz").status == 200);
}

TEST_CASE("an exempt address is not held to the per-address share", "[security][limits]") {
    auto o = address_limited("{rate: 0, exempt: [127.0.0.1]}");
    o.http = "  max_connections: 10\n  max_connections_per_address: 1\n";
    test_daemon d(o);
    auto a = d.client();
    auto b = d.client();
    CHECK(a.get("/healthz").status == 200);
    CHECK(b.get("/healthz").status == 200);
}
