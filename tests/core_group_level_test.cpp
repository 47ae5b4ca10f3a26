// The group-level rule of CONTRACT.md at each of its boundaries: too few
// reporting, too few practices for a red or amber share, the 5%, 15%, 30% and
// 40% shares exactly on and just under the line, and the same with patients'
// list sizes as the weights.
#include "core/system_level.hpp"

#include <catch2/catch.hpp>

using namespace opel;
using core::group_level;

namespace {

/// A group of practices standing at 1..4 `n1`..`n4` times, each weighing one.
std::optional<int> level_of(int n1, int n2, int n3, int n4, core::system_thresholds t = {}) {
    return group_level({n1, n2, n3, n4}, t);
}

} // namespace

TEST_CASE("group level: no level with fewer than min_reporting (3 by default)", "[core]") {
    CHECK_FALSE(level_of(0, 0, 0, 0));
    CHECK_FALSE(level_of(0, 0, 1, 1)); // two at 3 and 4, but only two reporting
    CHECK(level_of(1, 0, 1, 1) == 4);  // a third reporting: 2 of 3 at 3 or 4
    core::system_thresholds two;
    two.min_reporting = 2;
    CHECK(level_of(0, 0, 1, 1, two) == 4);
    CHECK_FALSE(level_of(0, 0, 0, 1, two));
}

TEST_CASE("group level: one practice cannot paint a group red (min_practices 2)", "[core]") {
    CHECK(level_of(4, 0, 0, 1) == 1); // one of five at 4: 20%, but one practice
    CHECK(level_of(3, 0, 1, 1) == 4); // two of five at 3 or 4
    core::system_thresholds one;
    one.min_practices = 1;
    CHECK(level_of(4, 0, 0, 1, one) == 4);
    CHECK(level_of(5, 0, 1, 0, one) == 3); // one of six at 3: 16.7%
}

TEST_CASE("group level: 5% at 4 is level 4, just under is not", "[core]") {
    CHECK(level_of(38, 0, 0, 2) == 4); // 2 of 40 = 5%
    CHECK(level_of(39, 0, 0, 2) == 1); // 2 of 41 = 4.9%, and 4.9% at 3 or 4
}

TEST_CASE("group level: 30% at 3 or 4 is level 4, just under is 3", "[core]") {
    CHECK(level_of(7, 0, 3, 0) == 4);  // 3 of 10 = 30%
    CHECK(level_of(8, 0, 3, 0) == 3);  // 3 of 11 = 27%
}

TEST_CASE("group level: 15% at 3 or 4 is level 3, just under is not", "[core]") {
    CHECK(level_of(17, 0, 3, 0) == 3); // 3 of 20 = 15%
    CHECK(level_of(18, 0, 3, 0) == 1); // 3 of 21 = 14.3%, and 14.3% at 2 or above
}

TEST_CASE("group level: 40% at 2 or above is level 2, just under is 1", "[core]") {
    CHECK(level_of(6, 4, 0, 0) == 2); // 4 of 10 = 40%
    CHECK(level_of(7, 4, 0, 0) == 1); // 4 of 11 = 36%
    CHECK(level_of(6, 3, 1, 0) == 2); // one at 3 counts at 2 or above
}

TEST_CASE("group level: the published months' proportions give 2 and 3", "[core]") {
    CHECK(level_of(76, 70, 12, 1) == 2); // November 2022
    CHECK(level_of(37, 66, 33, 3) == 3); // December 2022
}

TEST_CASE("group level by list size: shares of patients, counts of practices", "[core]") {
    core::system_thresholds by_size;
    by_size.weight = core::group_weight::list_size;
    // Two small practices at 4 among 38 large ones: 5% of practices, but
    // 0.5% of patients.
    std::vector<core::practice> ps;
    for (int i = 0; i < 40; ++i)
        ps.push_back({"C8" + std::to_string(2000 + i), "P", "PCN", "city", i < 2 ? 1000 : 10000});
    const auto w = core::practice_weights(ps, by_size.weight);
    core::group_status g;
    for (std::size_t i = 0; i < ps.size(); ++i)
        core::add_practice(g, i < 2 ? 4 : 1, true, w[i]);
    core::settle_level(g, by_size);
    CHECK(g.level == 1);
    CHECK(g.counts[3] == 2);
    core::group_status by_count; // by practices, the same group is red
    for (std::size_t i = 0; i < ps.size(); ++i)
        core::add_practice(by_count, i < 2 ? 4 : 1, true);
    core::settle_level(by_count, core::system_thresholds{});
    CHECK(by_count.level == 4);

    // One large practice at 4 is most of the patients, but one practice: not red.
    std::vector<core::practice> three{{"C82001", "A", "N", "city", 20000},
                                      {"C82002", "B", "N", "city", 2000},
                                      {"C82003", "C", "N", "city", 2000}};
    const auto w3 = core::practice_weights(three, by_size.weight);
    core::group_status h;
    core::add_practice(h, 4, true, w3[0]);
    core::add_practice(h, 1, true, w3[1]);
    core::add_practice(h, 1, true, w3[2]);
    core::settle_level(h, by_size);
    CHECK(h.level == 2); // 83% of patients at 2 or above
}

TEST_CASE("a practice with no list size weighs the mean of the others", "[core]") {
    std::vector<core::practice> ps{{"C82001", "A", "N", "city", 3000},
                                   {"C82002", "B", "N", "city", 0},
                                   {"C82003", "C", "N", "city", 9000}};
    const auto w = core::practice_weights(ps, core::group_weight::list_size);
    CHECK(w == std::vector<double>{3000, 6000, 9000});
    CHECK(core::practice_weights(ps, core::group_weight::practices) ==
          std::vector<double>{1, 1, 1});
    std::vector<core::practice> none{{"C82001", "A", "N", "city", 0}};
    CHECK(core::practice_weights(none, core::group_weight::list_size) == std::vector<double>{1});
}

TEST_CASE("stale and silent practices count in the group but not in its level", "[core]") {
    core::group_status g;
    core::add_practice(g, 4, false); // stale
    core::add_practice(g, std::nullopt, false);
    core::add_practice(g, 4, true);
    core::add_practice(g, 4, true);
    core::settle_level(g, {});
    CHECK(g.practices == 4);
    CHECK(g.reporting == 2);
    CHECK(g.stale == 1);
    CHECK_FALSE(g.level); // two reporting: too few
}
