// Group levels: the one place the contract's group-level rule is applied, for
// the system, places and PCNs alike, in /v1/status, the summaries and reports.
#include "core/system_level.hpp"

#include <numeric>

namespace opel::core {

void add_practice(group_status& g, std::optional<int> level, bool fresh, double weight) {
    ++g.practices;
    if (!level)
        return;
    if (!fresh) {
        ++g.stale;
        return;
    }
    ++g.reporting;
    const auto i = static_cast<std::size_t>(*level - 1);
    ++g.counts[i];
    g.weights[i] += weight;
}

std::optional<int> group_level(const std::array<int, 4>& counts,
                               const std::array<double, 4>& weights, const system_thresholds& t) {
    const int n = counts[0] + counts[1] + counts[2] + counts[3];
    if (n == 0 || n < t.min_reporting)
        return std::nullopt;
    const double total = weights[0] + weights[1] + weights[2] + weights[3];
    if (total <= 0)
        return std::nullopt;
    // The thresholds are configuration fractions; compare shares with a
    // tolerance, so that 3 of 20 is 15% although 0.15 * 20 is not exactly 3.
    constexpr double eps = 1e-9;
    const auto reaches = [&](double w, double threshold) { return w / total + eps >= threshold; };
    const int at4 = counts[3];
    const int at34 = counts[2] + counts[3];
    const bool enough4 = at4 >= t.min_practices;
    const bool enough34 = at34 >= t.min_practices;
    if ((enough4 && reaches(weights[3], t.level4_share_at_4)) ||
        (enough34 && reaches(weights[2] + weights[3], t.level4_share_at_3)))
        return 4;
    if (enough34 && reaches(weights[2] + weights[3], t.level3_share_at_3))
        return 3;
    if (reaches(weights[1] + weights[2] + weights[3], t.level2_share_at_2))
        return 2;
    return 1;
}

std::optional<int> group_level(const std::array<int, 4>& counts, const system_thresholds& t) {
    std::array<double, 4> weights{};
    for (std::size_t i = 0; i < 4; ++i)
        weights[i] = counts[i];
    return group_level(counts, weights, t);
}

void settle_level(group_status& g, const system_thresholds& t) {
    g.level = group_level(g.counts, g.weights, t);
}

std::vector<double> practice_weights(std::span<const practice> practices, group_weight w) {
    std::vector<double> out(practices.size(), 1.0);
    if (w == group_weight::practices)
        return out;
    double sum = 0;
    int known = 0;
    for (const auto& p : practices)
        if (p.list_size > 0) {
            sum += p.list_size;
            ++known;
        }
    if (known == 0)
        return out;
    const double mean = sum / known;
    for (std::size_t i = 0; i < practices.size(); ++i)
        out[i] = practices[i].list_size > 0 ? practices[i].list_size : mean;
    return out;
}

} // namespace opel::core
