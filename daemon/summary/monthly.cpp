// The monthly report as data. A month is the configured zone's calendar month
// (a report at 00:30 BST on 1 April is April's), and a report counts by when
// it was made (reported_at), so imported history lands in its own month and
// not in the month it was imported.
#include "summary/monthly.hpp"

#include "summary/themes.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

namespace opel::summary {

namespace {

core::time_point local_midnight(date::year_month_day d, const date::time_zone* tz) {
    // A zone that skips midnight on a change starts the day at the change.
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        tz->to_sys(date::local_days{d}, date::choose::earliest));
}

} // namespace

std::pair<core::time_point, core::time_point> month_bounds(date::year_month month,
                                                           const date::time_zone* tz) {
    const auto next = month + date::months{1};
    return {local_midnight(month / 1, tz), local_midnight(next / 1, tz)};
}

namespace {

/// The month's responses of one group, for its level: each response counts
/// as one practice standing at its level, weighed as its practice.
struct month_group {
    std::array<int, 4> counts{};
    std::array<double, 4> weights{};

    void add(int level, double weight) {
        ++counts[static_cast<std::size_t>(level - 1)];
        weights[static_cast<std::size_t>(level - 1)] += weight;
    }
    boost::json::value level(const core::system_thresholds& t) const {
        const auto l = core::group_level(counts, weights, t);
        return l ? boost::json::value(*l) : boost::json::value(nullptr);
    }
};

boost::json::object levels_of(const std::map<std::string, month_group>& groups,
                              const core::system_thresholds& t) {
    boost::json::object out;
    for (const auto& [name, g] : groups)
        out[name] = g.level(t);
    return out;
}

} // namespace

boost::json::object build_monthly(date::year_month month, const date::time_zone* tz,
                                  std::span<const core::submission> submissions,
                                  std::span<const core::practice> practices,
                                  const core::system_thresholds& t) {
    const auto [from, to] = month_bounds(month, tz);
    const auto weights = core::practice_weights(practices, t.weight);
    std::unordered_map<std::string, std::size_t> by_code;
    std::map<std::string, int> places;
    std::map<std::string, month_group> place_groups, pcn_groups;
    month_group system;
    for (std::size_t i = 0; i < practices.size(); ++i) {
        by_code.emplace(practices[i].code, i);
        places.emplace(practices[i].place, 0);
        place_groups.try_emplace(practices[i].place);
        pcn_groups.try_emplace(practices[i].pcn);
    }
    std::array<int, 4> levels{};
    std::map<std::string, int> themes;
    std::set<std::string> reporting;
    int responses = 0;
    for (const auto& s : submissions) {
        if (s.reported_at < from || s.reported_at >= to || s.level < 1 || s.level > 4) continue;
        ++responses;
        ++levels[static_cast<std::size_t>(s.level - 1)];
        for (const auto& t : s.themes)
            ++themes[t];
        reporting.insert(s.practice);
        // A practice since removed from the file has no place to count under.
        const auto it = by_code.find(s.practice);
        const double weight = it != by_code.end() ? weights[it->second] : 1.0;
        system.add(s.level, weight);
        if (it != by_code.end()) {
            const auto& p = practices[it->second];
            ++places[p.place];
            place_groups[p.place].add(s.level, weight);
            pcn_groups[p.pcn].add(s.level, weight);
        }
    }
    boost::json::object by_level, by_place;
    for (std::size_t i = 0; i < levels.size(); ++i)
        by_level[std::to_string(i + 1)] = levels[i];
    for (const auto& [place, n] : places)
        by_place[place] = n;
    return boost::json::object{
        {"month", date::format("%Y-%m", month / 1)},
        {"responses", responses},
        {"by_level", std::move(by_level)},
        {"by_place", std::move(by_place)},
        {"themes", rank_themes(themes)},
        {"practices_reporting", static_cast<std::int64_t>(reporting.size())},
        {"levels", boost::json::object{{"system", system.level(t)},
                                       {"places", levels_of(place_groups, t)},
                                       {"pcns", levels_of(pcn_groups, t)}}}};
}

void add_support(boost::json::object& report, std::span<const core::support_item> created,
                 std::span<const core::escalation> escalations) {
    std::map<std::string, int> actions;
    for (const auto& s : created)
        ++actions[s.action];
    std::vector<std::pair<std::string, int>> ranked(actions.begin(), actions.end());
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const auto& a, const auto& b) { return a.second > b.second; });
    boost::json::array support;
    for (const auto& [action, n] : ranked)
        support.push_back({{"action", action}, {"count", n}});
    boost::json::array list;
    for (const auto& e : escalations) {
        auto o = core::to_json(e);
        o.erase("message");
        o.erase("by");
        list.push_back(std::move(o));
    }
    report["support"] = std::move(support);
    report["escalations"] = std::move(list);
}

std::optional<date::year_month> parse_month(std::string_view text) {
    // Exactly YYYY-MM: date::parse would also take "2022-1" or trailing text.
    if (text.size() != 7 || text[4] != '-') return std::nullopt;
    int y = 0;
    unsigned m = 0;
    for (std::size_t i = 0; i < 7; ++i) {
        if (i == 4) continue;
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
        if (i < 4)
            y = y * 10 + (text[i] - '0');
        else
            m = m * 10 + static_cast<unsigned>(text[i] - '0');
    }
    if (m < 1 || m > 12) return std::nullopt;
    return date::year{y} / date::month{m};
}

} // namespace opel::summary
