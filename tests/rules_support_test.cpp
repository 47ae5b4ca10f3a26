// The rules file's support_actions: the shipped ones load with their display
// names, and each mistake is reported as file:line:.
#include "rules/rules_loader.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opel;

TEST_CASE("the shipped rules carry the nine default support actions", "[rules][support]") {
    std::vector<core::diagnostic> errors;
    auto set = rules::load_rule_set(std::filesystem::path(OPEL_SOURCE_DIR) / "rules/llr.yaml",
                                    errors);
    REQUIRE(set);
    const std::vector<std::string> ids{"pcn_support",
                                       "federation_support",
                                       "icb_clinical_support",
                                       "locum_cover",
                                       "half_day_closure_with_cover",
                                       "protected_learning_time",
                                       "lunchtime_closures",
                                       "workforce_team_contact",
                                       "other"};
    REQUIRE(set->support_actions.size() == ids.size());
    for (std::size_t i = 0; i < ids.size(); ++i)
        CHECK(set->support_actions[i].id == ids[i]);
    REQUIRE(set->find_action("locum_cover"));
    CHECK(set->find_action("locum_cover")->name == "Locum cover");
    CHECK_FALSE(set->find_action("free_lunch"));
}

TEST_CASE("bad support actions are refused with their lines", "[rules][support]") {
    const auto file = std::filesystem::path(OPEL_SOURCE_DIR) /
                      "tests/data/rules/bad_support_actions.yaml";
    std::vector<core::diagnostic> errors;
    CHECK(rules::load_rule_set(file, errors) == nullptr);
    std::string out;
    for (const auto& e : errors)
        out += e.to_string() + "\n";
    INFO(out);
    const auto f = file.string();
    CHECK(out.find(f + ":4: support_actions: an id is lower-case") != std::string::npos);
    CHECK(out.find(f + ":5: support_actions: duplicate id 'locum_cover'") != std::string::npos);
    CHECK(out.find(f + ":6: support_actions: each action needs an id and a name") !=
          std::string::npos);
    CHECK(out.find(f + ":7: support_actions: unknown key 'colour'") != std::string::npos);
}
