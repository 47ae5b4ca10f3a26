// Support items and escalations through the app: every move over HTTP, the
// roles, the support.<code> and escalation.system events in order, the audit
// log, delivery of an escalation to the control room's subscribers, and the
// daily summary's and monthly report's support fields.
#include "support/test_daemon.hpp"
#include "support/webhook_receiver.hpp"

#include "webhook/routing.hpp"

using namespace opel::test;
namespace bhttp = boost::beast::http;

namespace {

http_answer offer(http_client& c, const std::string& practice, const std::string& action,
                  const std::string& token = team_token) {
    return c.post("/v1/practices/" + practice + "/support",
                  R"({"action":")" + action + R"(","note":"from Tuesday"})", token);
}

http_answer move(http_client& c, std::int64_t id, const std::string& state,
                 const std::string& token = team_token) {
    return c.call(bhttp::verb::patch, "/v1/support/" + std::to_string(id),
                  R"({"state":")" + state + R"("})", token);
}

std::int64_t offered_id(http_client& c, const std::string& practice = "C82001") {
    const auto a = offer(c, practice, "locum_cover");
    REQUIRE(a.status == 201);
    return a.json().at("id").as_int64();
}

boost::json::array events(http_client& c, const std::string& prefix) {
    return c.get("/v1/events?topic=" + prefix, admin_token).json().at("events").as_array();
}

boost::json::array audit(http_client& c) {
    return c.get("/v1/audit", admin_token).json().at("entries").as_array();
}

void report(http_client& c, const std::string& practice, int level) {
    REQUIRE(c.post("/v1/submissions",
                   R"({"practice":")" + practice + R"(","level":)" + std::to_string(level) + "}",
                   admin_token)
                .status == 201);
}

} // namespace

TEST_CASE("the team offers support, linked to the practice's open alert", "[support]") {
    test_daemon d;
    auto c = d.client();
    report(c, "C82001", 4);
    const auto alert = c.get("/v1/alerts", team_token).json().at("alerts").at(0).at("id");
    const auto a = offer(c, "C82001", "locum_cover");
    REQUIRE(a.status == 201);
    const auto item = a.json();
    CHECK(item.at("practice") == "C82001");
    CHECK(item.at("action") == "locum_cover");
    CHECK(item.at("state") == "offered");
    CHECK(item.at("by") == "team");
    CHECK(item.at("note") == "from Tuesday");
    CHECK(item.at("alert") == alert);
    CHECK(item.at("created_at") == item.at("updated_at"));
    // A practice with no open alert: the item answers none.
    CHECK(offer(c, "C82002", "pcn_support").json().at("alert").is_null());
    const auto ev = events(c, "support.C82001");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].at("data") == item);
}

TEST_CASE("every token reads the support actions with their names", "[support]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.get("/v1/support-actions", practice_token);
    REQUIRE(a.status == 200);
    const auto body = a.json();
    const auto& list = body.at("actions").as_array();
    REQUIRE(list.size() == 9);
    CHECK(list[3] == boost::json::value{{"id", "locum_cover"}, {"name", "Locum cover"}});
    CHECK(c.get("/v1/support-actions").status == 401);
}

TEST_CASE("an offer is refused for a bad action, an unknown practice or the wrong role",
          "[support]") {
    test_daemon d;
    auto c = d.client();
    CHECK(offer(c, "C82001", "free_lunch").status == 422);
    CHECK(offer(c, "C82001", "free_lunch").json().at("error").at("field") == "action");
    CHECK(offer(c, "Z99999", "locum_cover").status == 404);
    CHECK(offer(c, "C82001", "locum_cover", practice_token).status == 403);
    CHECK(offer(c, "C82001", "locum_cover", control_token).status == 403);
    CHECK(offer(c, "C82001", "locum_cover", "nope").status == 401);
    CHECK(c.post("/v1/practices/C82001/support", R"({"action":"locum_cover","by":"x"})",
                 team_token)
              .status == 400);
    CHECK(c.post("/v1/practices/C82001/support", "{", team_token).status == 400);
    CHECK(events(c, "support.").empty());
    CHECK(c.get("/v1/support?state=all", team_token).json().at("support").as_array().empty());
    CHECK(offer(c, "C82001", "locum_cover", admin_token).status == 201);
}

TEST_CASE("support moves offered, agreed, in place, ended, each an event in order",
          "[support]") {
    test_daemon d;
    auto c = d.client();
    const auto id = offered_id(c);
    CHECK(move(c, id, "agreed", practice_token).status == 200);
    CHECK(move(c, id, "in_place").status == 200);
    const auto last = move(c, id, "ended");
    REQUIRE(last.status == 200);
    CHECK(last.json().at("state") == "ended");
    const auto item = last.json();
    const auto& history = item.at("history").as_array();
    REQUIRE(history.size() == 4);
    CHECK(history[1].at("by") == "C82001 manager");
    CHECK(history[1].at("role") == "practice");
    const auto ev = events(c, "support.C82001");
    REQUIRE(ev.size() == 4);
    const std::vector<std::string> states{"offered", "agreed", "in_place", "ended"};
    for (std::size_t i = 0; i < ev.size(); ++i) {
        CHECK(ev[i].at("data").at("state") == states[i].c_str());
        if (i > 0)
            CHECK(ev[i].at("seq").as_int64() > ev[i - 1].at("seq").as_int64());
    }
    // Closed: every further move is refused, and nothing more is published.
    for (const auto* s : {"agreed", "declined", "in_place", "ended"})
        CHECK(move(c, id, s).status == 409);
    CHECK(events(c, "support.").size() == 4);
}

TEST_CASE("a move the state machine lacks is 409, and stores nothing", "[support]") {
    test_daemon d;
    auto c = d.client();
    const auto id = offered_id(c);
    CHECK(move(c, id, "in_place").status == 409);
    CHECK(move(c, id, "ended").status == 409);
    CHECK(move(c, id, "in_place").json().at("error").at("code") == "move_not_allowed");
    CHECK(move(c, id, "offered").status == 422);
    CHECK(move(c, id, "declined").status == 200);
    CHECK(move(c, id, "agreed").status == 409);
    const auto agreed = offered_id(c);
    REQUIRE(move(c, agreed, "agreed").status == 200);
    CHECK(move(c, agreed, "declined").status == 409);
    CHECK(move(c, agreed, "ended").status == 200);
    CHECK(move(c, 999, "agreed").status == 404);
    CHECK(move(c, 0, "agreed").status == 404);
    CHECK(c.call(bhttp::verb::patch, "/v1/support/x", R"({"state":"agreed"})", team_token)
              .status == 404);
}

TEST_CASE("a practice answers its own offered item only", "[support]") {
    test_daemon d;
    auto c = d.client();
    const auto own = offered_id(c, "C82001");
    const auto other = offered_id(c, "C82002");
    // Another practice's item does not exist as far as this token is concerned.
    CHECK(move(c, other, "agreed", practice_token).status == 404);
    CHECK(move(c, own, "agreed", control_token).status == 403);
    CHECK(move(c, own, "agreed", practice_token).status == 200);
    // Once agreed, putting it in place and ending it is the team's work.
    CHECK(move(c, own, "in_place", practice_token).status == 403);
    CHECK(move(c, own, "ended", practice_token).status == 403);
    CHECK(move(c, own, "declined", practice_token).status == 409);
    const auto declined = offered_id(c, "C82001");
    CHECK(move(c, declined, "declined", practice_token).status == 200);
}

TEST_CASE("a practice lists its own support, the team lists everyone's", "[support]") {
    test_daemon d;
    auto c = d.client();
    const auto own = offered_id(c, "C82001");
    offered_id(c, "C82002");
    REQUIRE(move(c, own, "declined", practice_token).status == 200);
    CHECK(c.get("/v1/support", team_token).json().at("support").as_array().size() == 1);
    CHECK(c.get("/v1/support?state=all", team_token).json().at("support").as_array().size() == 2);
    CHECK(c.get("/v1/support?state=all", control_token).json().at("support").as_array().size() ==
          2);
    const auto mine = c.get("/v1/support?state=all", practice_token).json().at("support");
    REQUIRE(mine.as_array().size() == 1);
    CHECK(mine.at(0).at("practice") == "C82001");
    CHECK(c.get("/v1/support?practice=C82002", practice_token).status == 403);
    CHECK(c.get("/v1/support?practice=C82002&state=all", team_token)
              .json().at("support").as_array().size() == 1);
    CHECK(c.get("/v1/support?state=closed", team_token).status == 400);
    CHECK(c.get("/v1/support?colour=1", team_token).status == 400);
}

TEST_CASE("every support change and refusal is audited", "[support][audit]") {
    test_daemon d;
    auto c = d.client();
    const auto id = offered_id(c);
    REQUIRE(move(c, id, "agreed", practice_token).status == 200);
    REQUIRE(move(c, id, "declined").status == 409);
    const auto log = audit(c);
    REQUIRE(log.size() == 3);
    CHECK(log[0].at("action") == "support.offer");
    CHECK(log[0].at("target") == "C82001");
    CHECK(log[0].at("status") == 201);
    CHECK(log[0].at("detail").at("id") == id);
    CHECK(log[1].at("action") == "support.move");
    CHECK(log[1].at("actor") == "C82001 manager");
    CHECK(log[1].at("detail").at("state") == "agreed");
    CHECK(log[2].at("status") == 409);
    CHECK(log[2].at("detail").at("error") == "move_not_allowed");
}

TEST_CASE("an escalation is stored, published, audited and listed by month", "[escalation]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.post("/v1/escalations",
                          R"({"title":"General practice at OPEL 3","message":"Demand from ARI",)"
                          R"("level":3,"themes":["ari","strep_a"],"practices":["C82001"]})",
                          team_token);
    REQUIRE(a.status == 201);
    CHECK(a.json().at("by") == "team");
    CHECK(a.json().at("themes").as_array().size() == 2);
    const auto ev = events(c, "escalation.system");
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].at("data") == a.json());
    CHECK(audit(c).back().at("action") == "escalation.create");
    const auto listed = c.get("/v1/escalations?month=2026-11", control_token);
    REQUIRE(listed.status == 200);
    CHECK(listed.json().at("escalations").as_array().size() == 1);
    CHECK(c.get("/v1/escalations", team_token).json().at("escalations").as_array().size() == 1);
    CHECK(c.get("/v1/escalations?month=2026-10", team_token)
              .json().at("escalations").as_array().empty());
    CHECK(c.get("/v1/escalations?latest=true", team_token).json().at("escalations").at(0) ==
          a.json());
    CHECK(c.get("/v1/escalations", practice_token).status == 403);
    CHECK(c.get("/v1/escalations?month=2026-13", team_token).status == 400);
}

TEST_CASE("a bad escalation is refused and stores nothing", "[escalation]") {
    test_daemon d;
    auto c = d.client();
    const auto post = [&](const std::string& body, const std::string& token = team_token) {
        return c.post("/v1/escalations", body, token).status;
    };
    CHECK(post(R"({"title":"t","message":"m","level":3,"themes":["sunshine"]})") == 422);
    CHECK(post(R"({"title":"t","message":"m","level":3,"practices":["Z99999"]})") == 422);
    CHECK(post(R"({"title":"t","message":"m","level":0})") == 422);
    CHECK(post(R"({"title":"t","message":"m"})") == 400);
    CHECK(post(R"({"title":"t","message":"m","level":3})", control_token) == 403);
    CHECK(post(R"({"title":"t","message":"m","level":3})", practice_token) == 403);
    CHECK(events(c, "escalation.").empty());
    CHECK(c.get("/v1/escalations", team_token).json().at("escalations").as_array().empty());
}

TEST_CASE("an escalation goes to every control_room subscriber and no other", "[escalation]") {
    using namespace opel::test::webhook_support;
    receiver room, team;
    test_daemon d(with_subscribers(
        subscriber("room", room.url(), "control_room", "    min_level: 4\n") +
        subscriber("team", team.url(), "primary_care_team")));
    auto c = d.client();
    REQUIRE(c.post("/v1/escalations", R"({"title":"t","message":"m","level":2})", team_token)
                .status == 201);
    d.daemon().run_timers().wait();
    REQUIRE(room.wait_for(1));
    CHECK(room.requests().at(0).topic() == "escalation.system");
    d.daemon().run_timers().wait();
    CHECK(team.requests().empty());
}

TEST_CASE("routing sends escalation.system to control_room subscribers only", "[escalation]") {
    opel::config::subscriber room;
    room.name = "room";
    room.audiences = {"control_room"};
    room.min_level = 4;
    opel::config::subscriber team;
    team.name = "team";
    team.audiences = {"primary_care_team"};
    const opel::core::event e{1, "escalation.system", {}, R"({"level":1})"};
    CHECK(opel::webhook::routes_to(room, e));
    CHECK_FALSE(opel::webhook::routes_to(team, e));
    room.topic_prefix = "alert.";
    CHECK_FALSE(opel::webhook::routes_to(room, e));
    const opel::core::event s{2, "support.C82001", {}, "{}"};
    team.topic_prefix.clear();
    CHECK_FALSE(opel::webhook::routes_to(team, s));
}

TEST_CASE("the daily summary lists each pressured practice's open support", "[support][summary]") {
    test_daemon d;
    auto c = d.client();
    report(c, "C82001", 4);
    report(c, "C82002", 3);
    const auto id = offered_id(c, "C82001");
    const auto declined = offered_id(c, "C82002");
    REQUIRE(move(c, id, "agreed").status == 200);
    REQUIRE(move(c, declined, "declined").status == 200);
    const auto s = c.post("/v1/summaries/daily", "", admin_token).json();
    const auto& pressured = s.at("pressured").as_array();
    REQUIRE(pressured.size() == 2);
    CHECK(pressured[0].at("code") == "C82001");
    const auto& support = pressured[0].at("support").as_array();
    REQUIRE(support.size() == 1);
    CHECK(support[0] == boost::json::value{{"action", "locum_cover"}, {"state", "agreed"}});
    CHECK(pressured[1].at("support").as_array().empty());
    const auto html = c.get("/v1/summaries/daily?format=html", team_token).body;
    CHECK(html.find("Locum cover: agreed") != std::string::npos);
}

TEST_CASE("a past day's summary shows support as it stood then", "[support][summary]") {
    test_daemon d;
    auto c = d.client();
    report(c, "C82001", 4);
    const auto id = offered_id(c, "C82001");
    // The next morning, 09:00 of 2026-11-26, the item is still offered...
    d.clock().advance(std::chrono::hours{24});
    REQUIRE(move(c, id, "agreed").status == 200);
    // ...and agreed after it: the summary of the 26th pictures 09:00.
    d.clock().advance(std::chrono::hours{1});
    const auto s =
        c.get("/v1/summaries/daily?date=2026-11-26", team_token).json().at("pressured").at(0);
    CHECK(s.at("support").at(0).at("state") == "offered");
}

TEST_CASE("the monthly report counts support by action and lists escalations",
          "[support][monthly]") {
    test_daemon d;
    auto c = d.client();
    offered_id(c, "C82001");
    offered_id(c, "C82002");
    REQUIRE(offer(c, "C82001", "pcn_support").status == 201);
    REQUIRE(c.post("/v1/escalations",
                   R"({"title":"NHS 111 barriers","message":"m","level":3,"themes":["nhs111"]})",
                   team_token)
                .status == 201);
    const auto m = c.get("/v1/reports/monthly?month=2026-11", team_token).json();
    const auto& support = m.at("support").as_array();
    REQUIRE(support.size() == 2);
    CHECK(support[0] == boost::json::value{{"action", "locum_cover"}, {"count", 2}});
    CHECK(support[1] == boost::json::value{{"action", "pcn_support"}, {"count", 1}});
    const auto& esc = m.at("escalations").as_array();
    REQUIRE(esc.size() == 1);
    CHECK(esc[0].at("title") == "NHS 111 barriers");
    CHECK(esc[0].at("level") == 3);
    CHECK(esc[0].at("themes").at(0) == "nhs111");
    const auto empty = c.get("/v1/reports/monthly?month=2026-10", team_token).json();
    CHECK(empty.at("support").as_array().empty());
    CHECK(empty.at("escalations").as_array().empty());
    const auto html = c.get("/v1/reports/monthly?month=2026-11&format=html", team_token).body;
    CHECK(html.find("escalated the following to the system") != std::string::npos);
    CHECK(html.find("NHS 111 barriers") != std::string::npos);
    const auto csv = c.get("/v1/reports/monthly?month=2026-11&format=csv", team_token).body;
    CHECK(csv.find("support,Locum cover,2") != std::string::npos);
}

TEST_CASE("reports name support actions as the rules file does", "[support][summary]") {
    test_daemon d;
    auto c = d.client();
    report(c, "C82001", 4);
    REQUIRE(offer(c, "C82001", "lunchtime_closures").status == 201);
    REQUIRE(c.post("/v1/summaries/daily", "", admin_token).status == 201); // pictures now
    const auto daily = c.get("/v1/summaries/daily?format=html", team_token).body;
    CHECK(daily.find("<td>Lunchtime closures to clear a backlog: offered</td>") !=
          std::string::npos);
    CHECK(daily.find("lunchtime closures") == std::string::npos);
    const auto monthly = c.get("/v1/reports/monthly?month=2026-11&format=html", team_token).body;
    CHECK(monthly.find("<td>Lunchtime closures to clear a backlog</td>") != std::string::npos);
    CHECK(monthly.find("lunchtime_closures") == std::string::npos);
    const auto csv = c.get("/v1/reports/monthly?month=2026-11&format=csv", team_token).body;
    CHECK(csv.find("\r\nsupport,Lunchtime closures to clear a backlog,1\r\n") !=
          std::string::npos);
    // The JSON keeps the ids: they are the wire format.
    CHECK(c.get("/v1/reports/monthly?month=2026-11", team_token).json().at("support").at(0).at(
              "action") == "lunchtime_closures");
}

TEST_CASE("an offer resolves practice-unsupported in its own transaction", "[support][rules]") {
    test_daemon d; // Wednesday 2026-11-25 10:00
    auto c = d.client();
    report(c, "C82001", 4);
    // Friday 10:00: two working days at 4 with nothing offered.
    d.clock().advance(std::chrono::hours{48});
    d.daemon().run_timers().wait();
    const auto unsupported = [&] {
        const auto body = c.get("/v1/alerts", team_token).json();
        for (const auto& a : body.at("alerts").as_array())
            if (a.at("rule") == "practice-unsupported")
                return true;
        return false;
    };
    REQUIRE(unsupported());
    const auto id = offered_id(c);
    CHECK_FALSE(unsupported());
    // The item's event comes before the resolution it caused.
    const auto ev = events(c, "");
    std::int64_t item_seq = 0, resolved_seq = 0;
    for (const auto& e : ev) {
        if (e.at("topic") == "support.C82001")
            item_seq = e.at("seq").as_int64();
        if (e.at("data").as_object().contains("rule") &&
            e.at("data").at("rule") == "practice-unsupported" &&
            e.at("data").at("state") == "resolved")
            resolved_seq = e.at("seq").as_int64();
    }
    CHECK(item_seq > 0);
    CHECK(resolved_seq > item_seq);
    // Declined with nothing else open: the practice is unsupported again at once.
    REQUIRE(move(c, id, "declined").status == 200);
    CHECK(unsupported());
}
