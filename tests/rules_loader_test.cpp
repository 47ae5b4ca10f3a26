// The rules file loader: the shipped defaults load, and every error a rules
// file can have is reported as file:line: with a fixture under data/rules/.
#include "rules/rules_loader.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

using namespace opel;

namespace {

std::filesystem::path fixture(const std::string& name) {
    return std::filesystem::path(OPEL_SOURCE_DIR) / "tests/data/rules" / name;
}

/// Loads a fixture expected to fail; returns the joined diagnostics.
std::string errors_of(const std::string& name) {
    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(fixture(name), errors);
    CHECK(set == nullptr);
    std::string out;
    for (const auto& e : errors)
        out += e.to_string() + "\n";
    return out;
}

} // namespace

TEST_CASE("the shipped rules load with the ten default rules", "[rules]") {
    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(std::filesystem::path(OPEL_SOURCE_DIR) / "rules/llr.yaml",
                                    errors);
    for (const auto& e : errors)
        UNSCOPED_INFO(e.to_string());
    REQUIRE(set);
    CHECK(set->themes.size() == 15);
    CHECK(set->has_theme("strep_a"));
    CHECK(set->theme_name("strep_a") == "Strep A");
    CHECK(set->theme_name("not_declared") == "not_declared");
    CHECK(set->stale_after == std::chrono::hours(7 * 24));
    CHECK(set->system.level4_share_at_3 == Approx(0.30));
    const std::vector<std::string> names{
        "practice-level-3", "practice-level-4",  "practice-sustained-pressure",
        "practice-rapid-rise", "pcn-cluster",    "place-pressure",
        "theme-cluster",    "practice-not-reporting", "unacknowledged-level-4",
        "practice-unsupported"};
    REQUIRE(set->rules.size() == names.size());
    for (std::size_t i = 0; i < names.size(); ++i)
        CHECK(set->rules[i].name == names[i]);
    const auto* place = set->find("place-pressure");
    REQUIRE(place);
    const auto& g = std::get<rules::group_condition>(place->when);
    CHECK(g.scope == rules::group_scope::place);
    CHECK(g.min_share == Approx(0.2));
    CHECK(g.min_reporting == 3);
    CHECK(place->audiences == std::vector<std::string>{"primary_care_team", "control_room"});
    CHECK_FALSE(set->find("practice-rapid-rise")->level.has_value());
}

TEST_CASE("durations read s, m, h and d", "[rules]") {
    CHECK(rules::parse_duration("45s") == std::chrono::seconds(45));
    CHECK(rules::parse_duration("30m") == std::chrono::seconds(1800));
    CHECK(rules::parse_duration("24h") == std::chrono::seconds(86400));
    CHECK(rules::parse_duration("7d") == std::chrono::seconds(7 * 86400));
    CHECK_FALSE(rules::parse_duration("7"));
    CHECK_FALSE(rules::parse_duration("d"));
    CHECK_FALSE(rules::parse_duration("1w"));
    CHECK_FALSE(rules::parse_duration("-1h"));
}

TEST_CASE("templates parse placeholders and literal braces", "[rules]") {
    std::string why;
    auto t = rules::text_template::parse("{{x}} {practice.name} at {level}", why);
    REQUIRE(t);
    CHECK(t->placeholders() == std::vector<std::string>{"practice.name", "level"});
    CHECK(t->render([](std::string_view n) { return "<" + std::string(n) + ">"; }) ==
          "{x} <practice.name> at <level>");
    CHECK_FALSE(rules::text_template::parse("open {level", why));
    CHECK_FALSE(rules::text_template::parse("close }", why));
    CHECK_FALSE(rules::text_template::parse("empty {}", why));
    CHECK_FALSE(rules::text_template::parse("{Level}", why));
}

TEST_CASE("every rules-file error is reported as file:line:", "[rules]") {
    struct bad_case {
        const char* file;
        int line;
        const char* message;
    };
    const auto c = GENERATE(values<bad_case>({
        {"not_a_mapping.yaml", 1, "must be a mapping"},
        {"syntax_error.yaml", 2, ""},
        {"unknown_top_key.yaml", 3, "unknown key 'escalate'"},
        {"duplicate_theme.yaml", 4, "duplicate theme id 'workforce'"},
        {"bad_theme_id.yaml", 3, "a theme id is lower-case"},
        {"bad_stale_after.yaml", 2, "stale_after: expected a positive duration"},
        {"stale_after_minutes.yaml", 2, "whole hours"},
        {"bad_share.yaml", 4, "level3_share_at_3: expected a share"},
        {"unknown_system_key.yaml", 3, "unknown key 'level5_share'"},
        {"rules_not_list.yaml", 3, "rules: expected a list"},
        {"missing_name.yaml", 3, "name is required"},
        {"bad_name.yaml", 3, "a name is lower-case"},
        {"reserved_name.yaml", 3, "the name is reserved"},
        {"duplicate_name.yaml", 10, "another rule has this name"},
        {"missing_condition.yaml", 3, "condition is required"},
        {"unknown_kind.yaml", 5, "unknown kind 'level_above'"},
        {"two_kinds.yaml", 5, "with one kind"},
        {"unknown_condition_key.yaml", 5, "unknown key 'above'"},
        {"level_out_of_range.yaml", 6, "level (or 'report'): expected a whole number from 1 to 4"},
        {"level_not_integer.yaml", 5, "at_least: expected a whole number"},
        {"missing_level.yaml", 3, "level is required"},
        {"missing_audiences.yaml", 3, "at least one audience"},
        {"empty_audiences.yaml", 7, "at least one audience"},
        {"missing_title.yaml", 3, "title is required"},
        {"unknown_placeholder.yaml", 9, "unknown placeholder {practice.phone}"},
        {"placeholder_wrong_kind.yaml", 9, "unknown placeholder {count} for a practice_level rule"},
        {"unclosed_brace.yaml", 9, "a '{' with no closing '}'"},
        {"unknown_rule_key.yaml", 10, "unknown key 'severity'"},
        {"at_most_below_at_least.yaml", 5, "at_most is below at_least"},
        {"group_without_scope.yaml", 5, "scope is required"},
        {"group_bad_scope.yaml", 5, "scope: expected pcn, place or system"},
        {"level_report_on_group.yaml", 6, "level: report only applies"},
        {"supersedes_unknown.yaml", 3, "supersedes 'practice-level-9'"},
        {"unacknowledged_unknown_rule.yaml", 10, "no other rule 'r9'"},
        {"theme_undeclared.yaml", 3, "theme 'telephony' is not declared"},
        {"bad_duration.yaml", 5, "within: expected a positive duration"},
        {"duplicate_key.yaml", 7, "duplicate key 'level'"},
        {"inhibit_unknown.yaml", 8, "inhibits 'practice-level-9', which is not another rule"},
        {"inhibit_self.yaml", 8, "inhibits 'a', which is not another rule"},
        {"inhibit_cycle.yaml", 8, "inhibits form a cycle (a -> b -> c -> a)"},
        {"group_level_bad_min.yaml", 3, "min_reporting: expected a whole number from 1"},
        {"group_level_bad_weight.yaml", 4, "weight: expected practices or list_size"},
        {"group_and_system_level.yaml", 4, "system_level: the older name of group_level"},
        {"theme_without_name.yaml", 3, "a theme's name is text of 1 to 80 characters"},
        {"theme_unknown_key.yaml", 3, "unknown key 'colour' (expected id and name)"},
    }));
    CAPTURE(c.file);
    const auto text = errors_of(c.file);
    const auto expected = fixture(c.file).string() + ":" + std::to_string(c.line) + ": ";
    INFO(text);
    bool found = false;
    for (std::size_t at = text.find(expected); at != std::string::npos && !found;
         at = text.find(expected, at + 1)) {
        const auto line = text.substr(at, text.find('\n', at) - at);
        found = line.find(c.message) != std::string::npos;
    }
    CHECK(found);
}

TEST_CASE("the shipped rules give one voice per practice, inhibitors evaluated first",
          "[rules]") {
    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(std::filesystem::path(OPEL_SOURCE_DIR) / "rules/llr.yaml",
                                    errors);
    REQUIRE(set);
    CHECK(set->system.min_reporting == 3);
    CHECK(set->system.min_practices == 2);
    CHECK(set->system.weight == core::group_weight::practices);
    const auto* l4 = set->find("practice-level-4");
    REQUIRE(l4);
    CHECK(l4->inhibits == std::vector<std::string>{"practice-level-3", "practice-rapid-rise",
                                                   "practice-sustained-pressure"});
    CHECK(set->inhibition_cycle().empty());
    const auto order = set->evaluation_order();
    REQUIRE(order);
    const auto pos = [&](const char* name) {
        return std::find(order->begin(), order->end(), *set->index_of(name)) - order->begin();
    };
    CHECK(pos("practice-level-4") < pos("practice-level-3"));
    CHECK(pos("practice-level-4") < pos("practice-sustained-pressure"));
    CHECK(pos("practice-sustained-pressure") < pos("practice-level-3"));
    CHECK(pos("practice-level-3") < pos("practice-rapid-rise"));
    CHECK(order->size() == set->rules.size());
}

TEST_CASE("a missing rules file is refused", "[rules]") {
    CHECK(errors_of("no_such_file.yaml").find("cannot read") != std::string::npos);
}
