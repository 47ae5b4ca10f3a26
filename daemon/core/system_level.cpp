// Group levels: the one place the contract's system-level thresholds are applied.
#include "core/system_level.hpp"

namespace opel::core {

void add_practice(group_status& g, std::optional<int> level, bool fresh) {
    ++g.practices;
    if (!level)
        return;
    if (!fresh) {
        ++g.stale;
        return;
    }
    ++g.reporting;
    ++g.counts[static_cast<std::size_t>(*level - 1)];
}

std::optional<int> group_level(const std::array<int, 4>& counts, const system_thresholds& t) {
    const int n = counts[0] + counts[1] + counts[2] + counts[3];
    if (n == 0)
        return std::nullopt;
    // Integer cross-multiplication would be exact, but the thresholds are
    // configuration fractions; compare shares with a tolerance for 0.15 * 20.
    const auto share = [n](int k) { return static_cast<double>(k) / n; };
    constexpr double eps = 1e-9;
    const double at4 = share(counts[3]);
    const double at34 = share(counts[2] + counts[3]);
    const double at234 = share(counts[1] + counts[2] + counts[3]);
    if (at4 + eps >= t.level4_share_at_4 || at34 + eps >= t.level4_share_at_3)
        return 4;
    if (at34 + eps >= t.level3_share_at_3)
        return 3;
    if (at234 + eps >= t.level2_share_at_2)
        return 2;
    return 1;
}

void settle_level(group_status& g, const system_thresholds& t) {
    g.level = group_level(g.counts, t);
}

} // namespace opel::core
