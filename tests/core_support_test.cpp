// The support item's state machine, every move for every caller, and the
// strict bodies of the support and escalation calls.
#include "core/support.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace opel::core;

namespace {

const std::vector<support_state> all_states{support_state::offered, support_state::agreed,
                                            support_state::declined, support_state::in_place,
                                            support_state::ended};

const mover team{role::team, false};
const mover admin{role::admin, false};
const mover own{role::practice, true};
const mover other{role::practice, false};
const mover control{role::control_room, false};

error error_of(const std::variant<support_offer, error>& v) { return std::get<error>(v); }

} // namespace

TEST_CASE("the state machine has exactly the contract's five moves", "[core][support]") {
    using enum support_state;
    const std::set<std::pair<support_state, support_state>> allowed{
        {offered, agreed}, {offered, declined}, {agreed, in_place}, {agreed, ended},
        {in_place, ended}};
    for (const auto from : all_states)
        for (const auto to : all_states) {
            INFO(state_name(from) << " -> " << state_name(to));
            CHECK(can_move(from, to) == (allowed.count({from, to}) == 1));
            // A move that does not exist is refused for everyone alike (409).
            if (!allowed.count({from, to}))
                for (const auto& m : {team, admin, own, other, control})
                    CHECK(judge_move(from, to, m) == move_verdict::not_allowed);
        }
}

TEST_CASE("team and admin make every allowed move", "[core][support]") {
    using enum support_state;
    for (const auto& m : {team, admin}) {
        CHECK(judge_move(offered, agreed, m) == move_verdict::allowed);
        CHECK(judge_move(offered, declined, m) == move_verdict::allowed);
        CHECK(judge_move(agreed, in_place, m) == move_verdict::allowed);
        CHECK(judge_move(agreed, ended, m) == move_verdict::allowed);
        CHECK(judge_move(in_place, ended, m) == move_verdict::allowed);
    }
}

TEST_CASE("a practice only answers an offer made to it", "[core][support]") {
    using enum support_state;
    CHECK(judge_move(offered, agreed, own) == move_verdict::allowed);
    CHECK(judge_move(offered, declined, own) == move_verdict::allowed);
    CHECK(judge_move(agreed, in_place, own) == move_verdict::forbidden);
    CHECK(judge_move(agreed, ended, own) == move_verdict::forbidden);
    CHECK(judge_move(in_place, ended, own) == move_verdict::forbidden);
    CHECK(judge_move(offered, agreed, other) == move_verdict::forbidden);
    CHECK(judge_move(offered, declined, other) == move_verdict::forbidden);
}

TEST_CASE("the control room reads support but moves none", "[core][support]") {
    using enum support_state;
    CHECK(judge_move(offered, agreed, control) == move_verdict::forbidden);
    CHECK(judge_move(agreed, in_place, control) == move_verdict::forbidden);
    CHECK(judge_move(in_place, ended, control) == move_verdict::forbidden);
}

TEST_CASE("open states are offered, agreed and in place", "[core][support]") {
    CHECK(is_open(support_state::offered));
    CHECK(is_open(support_state::agreed));
    CHECK(is_open(support_state::in_place));
    CHECK_FALSE(is_open(support_state::declined));
    CHECK_FALSE(is_open(support_state::ended));
    for (const auto s : all_states)
        CHECK(parse_support_state(state_name(s)) == s);
    CHECK_FALSE(parse_support_state("Agreed"));
}

TEST_CASE("an item's state at a past moment comes from its history", "[core][support]") {
    const time_point t0{std::chrono::hours{1000}};
    support_item s;
    s.created_at = t0;
    s.history = {{support_state::offered, "team", "team", t0, ""},
                 {support_state::agreed, "C82001", "practice", t0 + std::chrono::hours{1}, ""},
                 {support_state::ended, "team", "team", t0 + std::chrono::hours{5}, ""}};
    CHECK_FALSE(s.state_at(t0 - std::chrono::seconds{1}));
    CHECK(s.state_at(t0) == support_state::offered);
    CHECK(s.state_at(t0 + std::chrono::hours{1}) == support_state::agreed);
    CHECK(s.state_at(t0 + std::chrono::hours{4}) == support_state::agreed);
    CHECK(s.state_at(t0 + std::chrono::hours{5}) == support_state::ended);
    const auto back = history_from_json(history_json(s.history));
    REQUIRE(back.size() == 3);
    CHECK(back[1].by == "C82001");
    CHECK(back[1].at == s.history[1].at);
}

TEST_CASE("support bodies are read strictly", "[core][support]") {
    const auto ok = parse_support_offer(R"({"action":"locum_cover","note":"Tuesday"})");
    REQUIRE(std::holds_alternative<support_offer>(ok));
    CHECK(std::get<support_offer>(ok).action == "locum_cover");
    CHECK(error_of(parse_support_offer(R"({"note":"x"})")).code == "missing_field");
    CHECK(error_of(parse_support_offer(R"({"action":"a","colour":1})")).status == 400);
    CHECK(error_of(parse_support_offer(R"({"action":3})")).code == "wrong_type");
    CHECK(error_of(parse_support_offer(R"({"action":"a","action":"b"})")).code == "duplicate_key");
    CHECK(error_of(parse_support_offer(R"({"action":""})")).status == 422);
    CHECK(error_of(parse_support_offer("{\"action\":\"a\",\"note\":\"" + std::string(2001, 'x') +
                                       "\"}")).code == "too_long");
    const auto move = parse_support_move(R"({"state":"in_place","note":"from Monday"})");
    REQUIRE(std::holds_alternative<support_move>(move));
    CHECK(std::get<support_move>(move).to == support_state::in_place);
    CHECK(std::get<error>(parse_support_move(R"({"state":"offered"})")).code == "invalid_state");
    CHECK(std::get<error>(parse_support_move(R"({"state":"done"})")).status == 422);
    CHECK(std::get<error>(parse_support_move(R"({"note":"x"})")).code == "missing_field");
}

TEST_CASE("escalation bodies are read strictly", "[core][support]") {
    const auto ok = parse_escalation(
        R"({"title":"GP at OPEL 3","message":"ARI and Strep A","level":3,)"
        R"("themes":["ari","strep_a"],"practices":["C82001"]})");
    REQUIRE(std::holds_alternative<escalation>(ok));
    const auto& e = std::get<escalation>(ok);
    CHECK(e.level == 3);
    CHECK(e.themes == std::vector<std::string>{"ari", "strep_a"});
    CHECK(std::get<error>(parse_escalation(R"({"title":"t","message":"m","level":5})")).code ==
          "level_out_of_range");
    CHECK(std::get<error>(parse_escalation(R"({"title":"t","message":"m","level":"3"})")).status ==
          400);
    CHECK(std::get<error>(parse_escalation(R"({"title":"t","message":"m","level":3.0})")).status ==
          400);
    CHECK(std::get<error>(parse_escalation(R"({"title":"t","level":3})")).field == "message");
    CHECK(std::get<error>(parse_escalation(
                              R"({"title":"t","message":"m","level":3,"themes":["ari","ari"]})"))
              .code == "duplicate_id");
}
