// The pure parts of webhooks: routing by topic, audience, level and prefix;
// the backoff schedule; the signature and the endpoint parsed from a URL.
#include "core/crypto.hpp"
#include "rules/alert.hpp"
#include "webhook/exchange.hpp"
#include "webhook/routing.hpp"

#include <catch2/catch.hpp>

using namespace opel;
using namespace std::chrono_literals;

namespace {

config::subscriber subscriber(std::vector<std::string> audiences, int min_level = 1,
                              std::string prefix = "") {
    config::subscriber s;
    s.name = "s";
    s.url = "http://127.0.0.1:9/hook";
    s.audiences = std::move(audiences);
    s.min_level = min_level;
    s.topic_prefix = std::move(prefix);
    return s;
}

core::event alert(int level, const std::string& audiences) {
    return core::event{7, "alert.L" + std::to_string(level) + ".practice.C82001", {},
                       R"({"id":1,"level":)" + std::to_string(level) + R"(,"audiences":)" +
                           audiences + "}"};
}

} // namespace

TEST_CASE("alerts route by audience", "[webhook]") {
    const auto team = subscriber({"primary_care_team"});
    const auto control = subscriber({"control_room"});
    const auto both = alert(4, R"(["primary_care_team","control_room"])");
    const auto team_only = alert(3, R"(["primary_care_team"])");
    CHECK(webhook::routes_to(team, both));
    CHECK(webhook::routes_to(control, both));
    CHECK(webhook::routes_to(team, team_only));
    CHECK_FALSE(webhook::routes_to(control, team_only));
    CHECK_FALSE(webhook::routes_to(subscriber({}), both));
}

TEST_CASE("min_level and topic_prefix filter alerts", "[webhook]") {
    const auto a3 = alert(3, R"(["primary_care_team"])");
    const auto a4 = alert(4, R"(["primary_care_team"])");
    CHECK_FALSE(webhook::routes_to(subscriber({"primary_care_team"}, 4), a3));
    CHECK(webhook::routes_to(subscriber({"primary_care_team"}, 4), a4));
    CHECK(webhook::routes_to(subscriber({"primary_care_team"}, 1, "alert.L4."), a4));
    CHECK_FALSE(webhook::routes_to(subscriber({"primary_care_team"}, 1, "alert.L4."), a3));
}

TEST_CASE("summaries go to everyone, status events to no one", "[webhook]") {
    const auto s = subscriber({"control_room"}, 4, "alert.L4.");
    CHECK(webhook::routes_to(s, core::event{1, "summary.daily", {}, "{}"}));
    CHECK_FALSE(webhook::routes_to(subscriber({"primary_care_team"}),
                                   core::event{1, "status.C82001", {}, R"({"level":4})"}));
}

TEST_CASE("a malformed alert goes nowhere", "[webhook]") {
    const auto s = subscriber({"primary_care_team"});
    CHECK_FALSE(webhook::routes_to(s, core::event{1, "alert.L4.x.y", {}, "not json"}));
    CHECK_FALSE(webhook::routes_to(s, core::event{1, "alert.L4.x.y", {}, R"({"level":4})"}));
    CHECK_FALSE(webhook::routes_to(
        s, core::event{1, "alert.L4.x.y", {}, R"({"level":"4","audiences":["primary_care_team"]})"}));
}

TEST_CASE("backoff doubles from 1 s to at most 5 minutes, with jitter", "[webhook]") {
    CHECK(webhook::backoff(1, 0.5) == 1000ms);
    CHECK(webhook::backoff(2, 0.5) == 2000ms);
    CHECK(webhook::backoff(3, 0.5) == 4000ms);
    CHECK(webhook::backoff(9, 0.5) == 256000ms);
    CHECK(webhook::backoff(10, 0.5) == 300000ms);
    CHECK(webhook::backoff(1000, 0.5) == 300000ms);
    CHECK(webhook::backoff(1, 0.0) == 800ms);
    CHECK(webhook::backoff(1, 1.0) == 1200ms);
    CHECK(webhook::backoff(20, 1.0) == 300000ms);
    CHECK(webhook::backoff(0, 0.5) == 1000ms);
}

TEST_CASE("the signature is the hex HMAC-SHA256 of the body", "[webhook]") {
    const std::string body = R"({"seq":1})";
    CHECK(webhook::signature("k", body) == "sha256=" + core::hmac_sha256_hex("k", body));
    CHECK(webhook::signature("k", body).size() == 7 + 64);
}

TEST_CASE("a subscriber URL becomes host, port and target", "[webhook]") {
    const auto e = webhook::parse_endpoint("http://127.0.0.1:9000/opel?x=1");
    REQUIRE(std::holds_alternative<webhook::endpoint>(e));
    CHECK(std::get<webhook::endpoint>(e).host == "127.0.0.1");
    CHECK(std::get<webhook::endpoint>(e).port == "9000");
    CHECK(std::get<webhook::endpoint>(e).target == "/opel?x=1");
    const auto bare = std::get<webhook::endpoint>(webhook::parse_endpoint("http://example.org"));
    CHECK(bare.port == "80");
    CHECK(bare.target == "/");
    CHECK_FALSE(bare.tls);
    const auto tls = std::get<webhook::endpoint>(webhook::parse_endpoint("https://example.org/"));
    CHECK(tls.tls);
    CHECK(tls.port == "443");
    CHECK(std::holds_alternative<std::string>(webhook::parse_endpoint("ftp://example.org/")));
    CHECK(std::holds_alternative<std::string>(webhook::parse_endpoint("not a url")));
}

TEST_CASE("an IPv6 literal host gets a bracketed Host header", "[webhook]") {
    const auto e = std::get<webhook::endpoint>(webhook::parse_endpoint("http://[::1]:9000/opel"));
    CHECK(e.host == "::1"); // unbracketed, for the resolver
    CHECK(webhook::host_header(e) == "[::1]:9000");
    const auto d = std::get<webhook::endpoint>(webhook::parse_endpoint("https://[2001:db8::1]/x"));
    CHECK(webhook::host_header(d) == "[2001:db8::1]");
    const auto h = std::get<webhook::endpoint>(webhook::parse_endpoint("http://example.org:80/"));
    CHECK(webhook::host_header(h) == "example.org");
}

TEST_CASE("a URL's user information becomes the Basic credentials, decoded", "[webhook]") {
    const auto e =
        std::get<webhook::endpoint>(webhook::parse_endpoint("https://u%3Ax:p%40ss@h.example/p"));
    CHECK(e.credentials == "u:x:p@ss");
    CHECK(std::get<webhook::endpoint>(webhook::parse_endpoint("https://h.example/p"))
              .credentials.empty());
    CHECK(core::base64("hook-user:p@ss") == "aG9vay11c2VyOnBAc3M=");
    CHECK(core::base64url("\xfb\xff") == "-_8");
}

TEST_CASE("places: only alerts about those places, and the system", "[webhook]") {
    auto s = subscriber({"primary_care_team"});
    s.places = {"city"};
    const std::vector<core::practice> practices{{"C82001", "A", "North PCN", "county"},
                                                {"C82002", "B", "City PCN", "city"}};
    const auto about = [](const std::string& scope, const std::string& subject) {
        return core::event{7, "alert.L3." + scope + "." + subject, {},
                           R"({"level":3,"audiences":["primary_care_team"],"scope":")" + scope +
                               R"(","subject":")" + subject + R"("})"};
    };
    CHECK_FALSE(webhook::routes_to(s, about("practice", "C82001"), practices));
    CHECK(webhook::routes_to(s, about("practice", "C82002"), practices));
    CHECK(webhook::routes_to(s, about("pcn", "City PCN"), practices));
    CHECK_FALSE(webhook::routes_to(s, about("pcn", "North PCN"), practices));
    CHECK(webhook::routes_to(s, about("place", "city"), practices));
    CHECK_FALSE(webhook::routes_to(s, about("place", "county"), practices));
    CHECK(webhook::routes_to(s, about("system", "system"), practices));
}

TEST_CASE("the writer's alert facts route as the Alert JSON does", "[webhook]") {
    // The writer routes from the alert it has (webhook::alert_facts); every
    // other caller from the event's JSON. Both must agree for every
    // subscriber filter.
    const std::vector<core::practice> practices{{"C82001", "A", "North PCN", "county"},
                                                {"C82002", "B", "City PCN", "city"}};
    std::vector<rules::alert> alerts;
    for (const int level : {1, 3, 4})
        for (const auto& [scope, subject] :
             std::vector<std::pair<std::string, std::string>>{{"practice", "C82001"},
                                                              {"practice", "C82002"},
                                                              {"pcn", "City PCN"},
                                                              {"place", "county"},
                                                              {"system", "system"}})
            for (const auto& audiences : std::vector<std::vector<std::string>>{
                     {}, {"primary_care_team"}, {"primary_care_team", "control_room"}}) {
                rules::alert a;
                a.id = static_cast<std::int64_t>(alerts.size()) + 1;
                a.rule = "r";
                a.level = level;
                a.scope = scope;
                a.subject = subject;
                a.audiences = audiences;
                alerts.push_back(a);
            }
    std::vector<config::subscriber> subscribers;
    for (const auto& audiences :
         std::vector<std::vector<std::string>>{{"primary_care_team"}, {"control_room"}})
        for (const int min_level : {1, 4})
            for (const auto& places : std::vector<std::vector<std::string>>{{}, {"city"}})
                for (const auto* prefix : {"", "alert.L4."}) {
                    auto s = subscriber(audiences, min_level, prefix);
                    s.places = places;
                    subscribers.push_back(s);
                }
    int routed = 0;
    for (const auto& a : alerts) {
        const core::event e{a.id, rules::alert_topic(a), {}, rules::to_json_text(a)};
        const webhook::alert_facts facts{a.level, &a.audiences, a.scope, a.subject};
        for (const auto& s : subscribers) {
            INFO(e.data << " to " << s.audiences.at(0) << " from " << s.min_level);
            const bool from_json = webhook::routes_to(s, e, practices);
            CHECK(webhook::routes_to(s, e, facts, practices) == from_json);
            routed += from_json ? 1 : 0;
        }
    }
    CHECK(routed > 0);
}
