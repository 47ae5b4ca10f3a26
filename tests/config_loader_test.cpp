// The config loader: the shipped demo config, defaults, relative paths, and a
// bad fixture (tests/data/config/) for every error message, checked down to
// its `file:line: key:` prefix.
#include "config/config_loader.hpp"
#include "config/value_parsers.hpp"
#include "core/crypto.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <tuple>
#include <vector>

namespace fs = std::filesystem;
namespace core = opel::core;
using namespace opel::config;

namespace {

const fs::path source_dir{OPEL_SOURCE_DIR};
const fs::path data_dir = source_dir / "tests" / "data" / "config";

/// The errors of loading a fixture that must fail, each as `file:line: message`
/// with the fixture directory left off the file.
std::vector<std::string> errors_of(const std::string& fixture) {
    std::vector<core::diagnostic> errors;
    const auto cfg = load_config(data_dir / fixture, errors);
    CHECK_FALSE(cfg.has_value());
    std::vector<std::string> out;
    const auto prefix = data_dir.string() + "/";
    for (const auto& d : errors) {
        auto line = d.to_string();
        if (line.rfind(prefix, 0) == 0) line.erase(0, prefix.size());
        out.push_back(line);
    }
    return out;
}

/// True when one of `errors` starts with `start`.
bool has(const std::vector<std::string>& errors, const std::string& start) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](const std::string& e) { return e.rfind(start, 0) == 0; });
}

/// All errors on one line each, for INFO when a check fails.
std::string joined(const std::vector<std::string>& errors) {
    std::string out;
    for (const auto& e : errors)
        out += e + "\n";
    return out;
}

opel::config::config load_ok(const fs::path& file) {
    std::vector<core::diagnostic> errors;
    auto cfg = load_config(file, errors);
    std::string text;
    for (const auto& d : errors)
        text += d.to_string() + "\n";
    INFO(text);
    REQUIRE(cfg.has_value());
    return std::move(*cfg);
}

} // namespace

TEST_CASE("the shipped demo config loads with the LLR practices", "[config]") {
    const auto cfg = load_ok(source_dir / "config" / "opeld.yaml");
    REQUIRE(cfg.practices.size() == 132);
    std::map<std::string, int> practices_per_place;
    std::map<std::string, std::set<std::string>> pcns_per_place;
    for (const auto& p : cfg.practices) {
        ++practices_per_place[p.place];
        pcns_per_place[p.place].insert(p.pcn);
    }
    CHECK(practices_per_place ==
          std::map<std::string, int>{{"city", 56}, {"county", 71}, {"rutland", 5}});
    CHECK(pcns_per_place["city"].size() == 11);
    CHECK(pcns_per_place["county"].size() == 14);
    CHECK(pcns_per_place["rutland"].size() == 1);
    CHECK(cfg.practices.front().code == "C82001");
    CHECK(cfg.practices.back().code == "C82132");
    CHECK(cfg.timezone == "Europe/London");
    CHECK(cfg.database == source_dir / "var" / "opeld.db");
    CHECK(cfg.rules_file == source_dir / "rules" / "llr.yaml");
    CHECK(cfg.rules != nullptr);
    CHECK(cfg.calendar.holidays.size() == 10);
    CHECK(cfg.calendar.holidays.front() == date::year(2026) / 12 / 25);
    CHECK(cfg.subscribers.empty());
}

TEST_CASE("the demo tokens are the plain tokens of demo-tokens.md", "[config]") {
    const auto cfg = load_ok(source_dir / "config" / "opeld.yaml");
    const std::vector<std::tuple<std::string, core::role, std::string>> demo{
        {"demo-practice-C82001", core::role::practice, "C82001"},
        {"demo-practice-C82002", core::role::practice, "C82002"},
        {"demo-practice-C82060", core::role::practice, "C82060"},
        {"demo-team", core::role::team, ""},
        {"demo-control-room", core::role::control_room, ""},
        {"demo-admin", core::role::admin, ""},
    };
    REQUIRE(cfg.tokens.size() == demo.size());
    for (std::size_t i = 0; i < demo.size(); ++i) {
        const auto& [plain, role, practice] = demo[i];
        INFO(plain);
        CHECK(cfg.tokens[i].sha256 == core::sha256(plain));
        CHECK(cfg.tokens[i].role == role);
        CHECK(cfg.tokens[i].practice == practice);
    }
}

TEST_CASE("keys left out take the documented defaults", "[config]") {
    const auto cfg = load_ok(data_dir / "minimal.yaml");
    CHECK(cfg.file == data_dir / "minimal.yaml");
    CHECK(cfg.timezone == "Europe/London");
    CHECK(cfg.database == data_dir / "opeld.db");
    CHECK(cfg.practices.size() == 3);
    CHECK(cfg.http.listen.host == "127.0.0.1");
    CHECK(cfg.http.listen.port == 8080);
    CHECK(cfg.http.max_connections == 1024);
    CHECK(cfg.http.body_limit == 64 * 1024);
    CHECK(cfg.http.read_timeout == std::chrono::seconds(10));
    CHECK_FALSE(cfg.http.tls_cert.has_value());
    CHECK(cfg.zmq.ingest == "tcp://127.0.0.1:5555");
    CHECK(cfg.zmq.publish == "tcp://127.0.0.1:5556");
    CHECK(cfg.zmq.max_connections == 1024);
    CHECK_FALSE(cfg.zmq.curve.has_value());
    CHECK(cfg.calendar.working_days ==
          std::array<bool, 7>{false, true, true, true, true, true, false});
    CHECK(cfg.calendar.holidays.empty());
    CHECK(cfg.summary.at == std::chrono::hours(9));
    CHECK(cfg.limits.rate == 50);
    CHECK(cfg.limits.burst == 200);
    CHECK(cfg.tokens.empty());
    CHECK(cfg.subscribers.empty());
}

TEST_CASE("relative paths resolve against the file that holds them", "[config]") {
    const auto dir = data_dir / "paths";
    const auto cfg = load_ok(dir / "opeld.yaml");
    CHECK(cfg.database == dir / "db" / "opel.db");
    CHECK(cfg.practices_file == data_dir / "practices.yaml");
    CHECK(cfg.rules_file == source_dir / "rules" / "llr.yaml");
    CHECK(cfg.http.tls_cert == dir / "tls" / "cert.pem");
    CHECK(cfg.http.tls_key == dir / "tls" / "key.pem");
    REQUIRE(cfg.zmq.curve.has_value());
    CHECK(cfg.zmq.curve->secret_key_file == dir / "keys" / "server.key");
    CHECK(cfg.zmq.curve->ingest_public_keys ==
          std::vector<std::string>{"Yne@$w-vo<fVvi]a<NY6T1ed:M$fCG*[IaLV{hID"});
    CHECK(cfg.zmq.curve->publish_public_keys ==
          std::vector<std::string>{"rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7"});
    REQUIRE(cfg.subscribers.size() == 1);
    CHECK(cfg.subscribers[0].secret_file == dir / "keys" / "webhook.secret");
    CHECK(cfg.subscribers[0].secret == "s3cret-from-file");
    CHECK(cfg.subscribers[0].audiences == std::vector<std::string>{"control_room"});
    CHECK(cfg.subscribers[0].min_level == 3);
    CHECK(cfg.subscribers[0].topic_prefix == "alert.");
}

TEST_CASE("an IPv6 listen address and an empty endpoint are accepted", "[config]") {
    const auto cfg = load_ok(data_dir / "paths" / "opeld.yaml");
    CHECK(cfg.http.listen.host == "::1");
    CHECK(cfg.http.listen.port == 0);
    CHECK(cfg.zmq.ingest.empty());
    CHECK(cfg.zmq.publish == "ipc:///tmp/opel-test-publish");
}

TEST_CASE("an empty config reports both required keys", "[config]") {
    const auto errors = errors_of("empty.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "empty.yaml:1: practices: missing (required)"));
    CHECK(has(errors, "empty.yaml:1: rules: missing (required)"));
    CHECK(errors.size() == 2);
}

TEST_CASE("a config that is not YAML reports the parser's line", "[config]") {
    const auto errors = errors_of("bad-syntax.yaml");
    INFO(joined(errors));
    REQUIRE(errors.size() == 1);
    CHECK(has(errors, "bad-syntax.yaml:5: "));
}

TEST_CASE("a config file that does not exist is an error", "[config]") {
    const auto errors = errors_of("no-such-config.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "no-such-config.yaml: cannot read the config file"));
}

TEST_CASE("top-level errors: zone, missing file, unknown and repeated keys", "[config]") {
    const auto errors = errors_of("bad-top.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-top.yaml:1: timezone: 'Europe/Londn' is not an IANA time zone"));
    CHECK(has(errors, "bad-top.yaml:2: practices: cannot read '" + data_dir.string() +
                          "/no-such-practices.yaml': no such file"));
    CHECK(has(errors, "bad-top.yaml:4: databse: unknown key (known keys: calendar, database,"));
    CHECK(has(errors, "bad-top.yaml:5: timezone: repeated key"));
    CHECK(has(errors, "bad-top.yaml:6: http: expected a mapping, got '8080'"));
    CHECK(errors.size() == 5);
}

TEST_CASE("a missing rules file is an error at the rules key", "[config]") {
    const auto errors = errors_of("missing-rules.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "missing-rules.yaml:2: rules: cannot read '"));
    CHECK(errors.size() == 1);
}

TEST_CASE("http errors: address, negative limit, wrong type, lone TLS file", "[config]") {
    const auto errors = errors_of("bad-http.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-http.yaml:4: http.listen: '127.0.0.1:70000' is not a listen address: "
                      "the port must be a number from 0 to 65535"));
    CHECK(has(errors, "bad-http.yaml:5: http.max_connections: must be between 1 and"));
    CHECK(has(errors, "bad-http.yaml:6: http.read_timeout: expected an integer, got 'fast'"));
    CHECK(has(errors, "bad-http.yaml:7: http.body_limt: unknown key"));
    CHECK(has(errors, "bad-http.yaml:8: http.tls_cert: given without tls_key (both or neither)"));
    CHECK(has(errors, "bad-http.yaml:9: http.max_connections_per_address: must be between 1 and"));
    CHECK(errors.size() == 6);
}

TEST_CASE("an IPv6 listen address needs brackets", "[config]") {
    const auto errors = errors_of("bad-listen-v6.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-listen-v6.yaml:4: http.listen: '::1:8080' is not a listen address: "
                      "the host must be an IPv4 address or an IPv6 address in brackets"));
}

TEST_CASE("zmq errors: endpoint, high-water mark, connections, each socket's curve keys",
          "[config]") {
    const auto errors = errors_of("bad-zmq.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-zmq.yaml:4: zmq.ingest: 'http://127.0.0.1:5555' is not a ZeroMQ "
                      "endpoint"));
    CHECK(has(errors, "bad-zmq.yaml:6: zmq.high_water_mark: must not be negative, got -5"));
    CHECK(has(errors, "bad-zmq.yaml:8: zmq.curve.ingest_public_keys: 'not-a-key' is not a "
                      "CURVE public key"));
    CHECK(has(errors, "bad-zmq.yaml:9: zmq.curve.publish_public_keys: 'also-not-a-key' is not "
                      "a CURVE public key"));
    // The one list for both sockets is gone: the message names the two that replace it.
    CHECK(has(errors, "bad-zmq.yaml:10: zmq.curve.allowed_public_keys: unknown key (known keys: "
                      "ingest_public_keys, publish_public_keys, secret_key_file)"));
    CHECK(has(errors, "bad-zmq.yaml:7: zmq.curve.secret_key_file: missing (required)"));
    CHECK(has(errors, "bad-zmq.yaml:11: zmq.max_connections: must be between 1 and"));
    CHECK(errors.size() == 7);
}

TEST_CASE("calendar, summary and limits: wrong types and values", "[config]") {
    const auto errors = errors_of("bad-calendar.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-calendar.yaml:4: calendar.working_days: expected a list, got 'mon'"));
    CHECK(has(errors, "bad-calendar.yaml:5: calendar.holidays: '2026-02-30' is not a date"));
    CHECK(has(errors, "bad-calendar.yaml:5: calendar.holidays: '25-12-2026' is not a date"));
    CHECK(has(errors, "bad-calendar.yaml:7: summary.at: '24:00' is not a time of day"));
    CHECK(has(errors, "bad-calendar.yaml:9: limits.rate: expected a number, got 'fast'"));
    CHECK(has(errors, "bad-calendar.yaml:10: limits.burst: must not be negative, got -1"));
    CHECK(errors.size() == 6);
}

TEST_CASE("day names, a time without a colon and a bucket under one", "[config]") {
    const auto errors = errors_of("bad-working-days.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-working-days.yaml:4: calendar.working_days: 'funday' is not a day"));
    CHECK(has(errors, "bad-working-days.yaml:4: calendar.working_days: 'mon' is listed twice"));
    CHECK(has(errors, "bad-working-days.yaml:6: summary.at: '9am' is not a time of day"));
    CHECK(has(errors, "bad-working-days.yaml:9: limits.burst: must be at least 1"));
    CHECK(errors.size() == 4);
}

TEST_CASE("token errors: digest, role, practice pairing, unknown key", "[config]") {
    const auto errors = errors_of("bad-tokens.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-tokens.yaml:5: tokens.sha256: is not a SHA-256 digest "
                      "(64 hex characters; this is 6)"));
    // The value is not echoed: it may be a token pasted by mistake.
    CHECK(joined(errors).find("abc123") == std::string::npos);
    CHECK(has(errors, "bad-tokens.yaml:9: tokens.role: 'superuser' is not a role (practice, "
                      "team, control_room, admin)"));
    CHECK(has(errors, "bad-tokens.yaml:10: tokens.practice: missing (required for role "
                      "practice)"));
    CHECK(has(errors, "bad-tokens.yaml:16: tokens.practice: only a token of role practice "
                      "names a practice"));
    CHECK(has(errors, "bad-tokens.yaml:20: tokens.practice: 'C8200' is not a practice code"));
    CHECK(has(errors, "bad-tokens.yaml:29: tokens.sha256: the same digest as the token at "
                      "line 25"));
    CHECK(has(errors, "bad-tokens.yaml:34: tokens.expires: unknown key"));
}

TEST_CASE("a practice token must name a practice of the practices file", "[config]") {
    const auto errors = errors_of("bad-tokens.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-tokens.yaml:24: tokens.practice: no practice 'C82999' in " +
                          (data_dir / "practices.yaml").string()));
    CHECK(errors.size() == 8);
}

TEST_CASE("subscriber errors: URL, both secrets, level, unknown key, names", "[config]") {
    const auto errors = errors_of("bad-subscribers.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-subscribers.yaml:5: subscribers.url: 'ftp://127.0.0.1' is not "
                      "an http:// or https:// URL"));
    CHECK(has(errors, "bad-subscribers.yaml:7: subscribers.url: 'http://exa mple.org:80' is not"));
    CHECK(has(errors, "bad-subscribers.yaml:11: subscribers.secret_file: give secret or "
                      "secret_file, not both"));
    CHECK(has(errors, "bad-subscribers.yaml:14: subscribers.min_level: must be between 1 and 4, "
                      "got 5"));
    CHECK(has(errors, "bad-subscribers.yaml:15: subscribers.retries: unknown key"));
    CHECK(has(errors, "bad-subscribers.yaml:16: subscribers.url: missing (required)"));
    CHECK(has(errors, "bad-subscribers.yaml:19: subscribers.name: 'twin' is already the name of "
                      "the subscriber at line 17"));
    CHECK(errors.size() == 7);
}

TEST_CASE("practices file errors name the practices file and its lines", "[config]") {
    const auto errors = errors_of("bad-practices.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "bad-practices-list.yaml:6: practices.code: 'C82001' is already the code "
                      "of the practice at line 2"));
    CHECK(has(errors, "bad-practices-list.yaml:10: practices.code: 'c8200x' is not a practice "
                      "code (a letter and five digits"));
    CHECK(has(errors, "bad-practices-list.yaml:17: practices.lat: unknown key"));
    CHECK(has(errors, "bad-practices-list.yaml:14: practices.place: missing (required)"));
    CHECK(has(errors, "bad-practices-list.yaml:18: version: unknown key"));
    CHECK(errors.size() == 5);
}

TEST_CASE("load_config_or_throw carries every diagnostic", "[config]") {
    try {
        load_config_or_throw(data_dir / "empty.yaml");
        FAIL("no exception");
    } catch (const config_error& e) {
        CHECK(e.diagnostics().size() == 2);
        const std::string what = e.what();
        CHECK(what == e.diagnostics()[0].to_string() + "\n" + e.diagnostics()[1].to_string());
    }
    CHECK(load_config_or_throw(data_dir / "minimal.yaml").practices.size() == 3);
}

TEST_CASE("sha256_hex matches the published test vectors", "[config]") {
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(sha256_hex("demo-admin") ==
          "cce7a2cf1ae045989cfc914fb95a41526f167a838b3c7d33745143614abace7c");
}

TEST_CASE("listen addresses", "[config]") {
    std::string why;
    const auto v4 = parse_listen_address("0.0.0.0:65535", why);
    REQUIRE(v4);
    CHECK(v4->host == "0.0.0.0");
    CHECK(v4->port == 65535);
    const auto v6 = parse_listen_address("[::1]:8080", why);
    REQUIRE(v6);
    CHECK(v6->host == "::1");
    CHECK(v6->port == 8080);
    for (const auto* bad :
         {"127.0.0.1", "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:65536", "localhost:8080",
          "::1:8080", "[::1]", "[127.0.0.1]:80", "256.0.0.1:80", ":8080", "127.0.0.1:80x"}) {
        INFO(bad);
        CHECK_FALSE(parse_listen_address(bad, why));
    }
}

TEST_CASE("times of day, dates and day names", "[config]") {
    CHECK(parse_time_of_day("00:00") == std::chrono::minutes(0));
    CHECK(parse_time_of_day("23:59") == std::chrono::minutes(23 * 60 + 59));
    for (const auto* bad : {"24:00", "09:60", "9:00", "09:00:00", "0900", "ab:cd", ""})
        CHECK_FALSE(parse_time_of_day(bad));
    CHECK(parse_date("2028-02-29") == date::year(2028) / 2 / 29);
    for (const auto* bad : {"2027-02-29", "2026-13-01", "2026-1-01", "2026/12/25", "20261225"})
        CHECK_FALSE(parse_date(bad));
    CHECK(parse_weekday("sun") == 0u);
    CHECK(parse_weekday("sat") == 6u);
    CHECK_FALSE(parse_weekday("Mon"));
}

TEST_CASE("endpoints, webhook URLs and practice codes", "[config]") {
    CHECK(is_zmq_endpoint("tcp://127.0.0.1:*"));
    CHECK(is_zmq_endpoint("inproc://bus"));
    CHECK_FALSE(is_zmq_endpoint("tcp://"));
    CHECK_FALSE(is_zmq_endpoint("udp://127.0.0.1:5555"));
    CHECK(is_webhook_url("https://hooks.example.org:8443/a/b?c=d"));
    CHECK(is_webhook_url("http://[::1]:9000/opel"));
    CHECK_FALSE(is_webhook_url("http:///no-host"));
    CHECK_FALSE(is_webhook_url("mailto:team@example.org"));
    CHECK_FALSE(is_webhook_url("/relative/path"));
    CHECK(url_origin("https://user:pa55@hooks.example.org/a?x=1") ==
          "https://hooks.example.org:443");
    CHECK(url_origin("htps://u:p@q@host/p@th") == "htps://host");
    CHECK(url_origin("https://hooks.example.org:8443/a@b") == "https://hooks.example.org:8443");
    CHECK(url_origin("http://[::1]/opel?key=k") == "http://[::1]:80");
    CHECK(url_origin("http://u@[::1]:9000/opel") == "http://[::1]:9000");
    CHECK(url_origin("not a url, user:pw@host") == "not a url, user:pw@host");
    CHECK(is_practice_code("C82001"));
    CHECK_FALSE(is_practice_code("C8200"));
    CHECK_FALSE(is_practice_code("c82001"));
    CHECK_FALSE(is_practice_code("882001"));
}

TEST_CASE("channel subscribers and the smtp section load with their defaults", "[config]") {
    const auto cfg = load_ok(data_dir / "channels" / "good.yaml");
    using opel::config::channel_kind;
    REQUIRE(cfg.subscribers.size() == 3);
    const auto& mail = cfg.subscribers[0];
    CHECK(mail.kind == channel_kind::email);
    CHECK(mail.to.size() == 2);
    CHECK(mail.group.wait == std::chrono::seconds(45));
    CHECK(mail.group.interval == std::chrono::minutes(10));
    REQUIRE(mail.quiet);
    CHECK(mail.quiet->from == std::chrono::hours(20));
    CHECK(mail.quiet->to == std::chrono::hours(8));
    CHECK(mail.quiet->except_level == 4);
    CHECK(cfg.subscribers[1].kind == channel_kind::teams);
    CHECK(cfg.subscribers[1].places == std::vector<std::string>{"county"});
    const auto& sms = cfg.subscribers[2];
    CHECK(sms.kind == channel_kind::notify);
    CHECK(sms.min_level == 4); // a text wakes someone: level 4 unless said
    CHECK(sms.base_url == "https://api.notifications.service.gov.uk");
    REQUIRE(cfg.smtp);
    CHECK(cfg.smtp->port == 2525);
    CHECK(cfg.smtp->password == "smtp-pass");
    CHECK(cfg.smtp->starttls == opel::config::starttls_mode::optional);
    CHECK(cfg.public_url == "https://opel.example.nhs.uk/");
}

TEST_CASE("channel errors: kind, smtp, Notify key, quiet time, keys of another kind",
          "[config]") {
    const auto errors = errors_of("channels/bad.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "channels/bad.yaml:5: subscribers.kind: 'pager' is not a kind (webhook, "
                      "email, teams, slack, notify)"));
    CHECK(has(errors, "channels/bad.yaml:7: subscribers.to: missing (required for kind email)"));
    CHECK(has(errors, "channels/bad.yaml:10: subscribers.group.wait: 'soon' is not a duration"));
    CHECK(has(errors, "channels/bad.yaml:13: subscribers.api_key_file: "));
    CHECK(joined(errors).find("does not hold a GOV.UK Notify API key") != std::string::npos);
    CHECK(has(errors, "channels/bad.yaml:19: subscribers.quiet.from: '8pm' is not a time of day"));
    CHECK(has(errors, "channels/bad.yaml:23: subscribers.url: is for kind webhook, teams or "
                      "slack, not email"));
    CHECK(has(errors, "channels/bad.yaml:7: subscribers: kind email needs the smtp section"));
}

TEST_CASE("a webhook subscriber's batch: max and wait, with their defaults", "[config]") {
    const auto cfg = load_ok(data_dir / "channels" / "batch.yaml");
    REQUIRE(cfg.subscribers.size() == 3);
    REQUIRE(cfg.subscribers[0].batch);
    CHECK(cfg.subscribers[0].batch->max == 100);
    CHECK(cfg.subscribers[0].batch->wait == std::chrono::seconds(2));
    REQUIRE(cfg.subscribers[1].batch);
    CHECK(cfg.subscribers[1].batch->max == 64);
    CHECK(cfg.subscribers[1].batch->wait == std::chrono::seconds(0));
    CHECK_FALSE(cfg.subscribers[2].batch); // one event a POST
}

TEST_CASE("batch errors: max out of range, a long wait, unknown keys, another kind", "[config]") {
    const auto errors = errors_of("channels/bad-batch.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "channels/bad-batch.yaml:6: subscribers.batch.max: must be between 1 and "
                      "500, got 0"));
    CHECK(has(errors, "channels/bad-batch.yaml:9: subscribers.batch.max: must be between 1 and "
                      "500, got 501"));
    CHECK(has(errors, "channels/bad-batch.yaml:9: subscribers.batch.wait: '2m' is not a duration "
                      "of at most a minute"));
    CHECK(has(errors, "channels/bad-batch.yaml:12: subscribers.batch.size: unknown key"));
    CHECK(has(errors, "channels/bad-batch.yaml:16: subscribers.batch: is for kind webhook, not "
                      "teams"));
    CHECK(has(errors, "channels/bad-batch.yaml:19: subscribers.batch: "));
    CHECK(errors.size() == 6);
}

TEST_CASE("a subscriber's places must be places of the practices file", "[config]") {
    const auto errors = errors_of("channels/bad.yaml");
    INFO(joined(errors));
    CHECK(has(errors, "channels/bad.yaml:30: subscribers.places: no place 'shire' in " +
                          (data_dir / "practices.yaml").string() + " (places: city, county)"));
    CHECK_FALSE(has(errors, "channels/bad.yaml:29:"));
}
