// The board paper's figures. A level over a span of time (a month, a week)
// is the group-level rule applied to the span's responses, each counting as
// one practice at its level: the same reading `levels` gives the month, so a
// week's level and the month's never disagree in method. Weeks start on
// Monday (as the NHS's own weekly sitreps do) and are cut at the month's
// edges, so every response of the month is in exactly one week.
#include "summary/monthly_trend.hpp"

#include "summary/monthly.hpp"

#include <array>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

namespace opel::summary {

namespace {

/// One group's responses over a span.
struct tally {
    std::array<int, 4> counts{};
    std::array<double, 4> weights{};
    std::set<std::string> reporting;
    int practices = 0;

    void add(const core::submission& s, double weight) {
        ++counts[static_cast<std::size_t>(s.level - 1)];
        weights[static_cast<std::size_t>(s.level - 1)] += weight;
        reporting.insert(s.practice);
    }
    int responses() const { return counts[0] + counts[1] + counts[2] + counts[3]; }
    boost::json::value level(const core::system_thresholds& t) const {
        const auto l = core::group_level(counts, weights, t);
        return l ? boost::json::value(*l) : boost::json::value(nullptr);
    }
    boost::json::object by_level() const {
        boost::json::object out;
        for (std::size_t i = 0; i < counts.size(); ++i)
            out[std::to_string(i + 1)] = counts[i];
        return out;
    }
    boost::json::object figures(const core::system_thresholds& t) const {
        return {{"responses", responses()},
                {"by_level", by_level()},
                {"practices", practices},
                {"practices_reporting", static_cast<std::int64_t>(reporting.size())},
                {"level", level(t)}};
    }
};

/// Where each practice belongs, and what it weighs.
struct directory {
    std::unordered_map<std::string, std::size_t> index;
    std::vector<double> weights;
    std::span<const core::practice> practices;

    directory(std::span<const core::practice> ps, const core::system_thresholds& t)
        : weights(core::practice_weights(ps, t.weight)), practices(ps) {
        for (std::size_t i = 0; i < ps.size(); ++i)
            index.emplace(ps[i].code, i);
    }
    const core::practice* find(const std::string& code) const {
        const auto it = index.find(code);
        return it == index.end() ? nullptr : &practices[it->second];
    }
    double weight(const std::string& code) const {
        const auto it = index.find(code);
        return it == index.end() ? 1.0 : weights[it->second];
    }
};

bool counts(const core::submission& s, core::time_point from, core::time_point to) {
    return s.reported_at >= from && s.reported_at < to && s.level >= 1 && s.level <= 4;
}

boost::json::object groups(const directory& dir, std::span<const core::submission> subs,
                           std::pair<core::time_point, core::time_point> span,
                           const core::system_thresholds& t) {
    std::map<std::string, tally> places, pcns;
    std::map<std::string, std::string> place_of_pcn;
    for (const auto& p : dir.practices) {
        ++places[p.place].practices;
        ++pcns[p.pcn].practices;
        place_of_pcn.emplace(p.pcn, p.place);
    }
    for (const auto& s : subs)
        if (const auto* p = counts(s, span.first, span.second) ? dir.find(s.practice) : nullptr) {
            places[p->place].add(s, dir.weight(s.practice));
            pcns[p->pcn].add(s, dir.weight(s.practice));
        }
    boost::json::object place_out, pcn_out;
    for (const auto& [id, g] : places)
        place_out[id] = g.figures(t);
    for (const auto& [name, g] : pcns) {
        auto o = g.figures(t);
        o["place"] = place_of_pcn[name];
        pcn_out[name] = std::move(o);
    }
    return {{"places", std::move(place_out)}, {"pcns", std::move(pcn_out)}};
}

/// The month's local dates cut at each Monday: [first, last] pairs.
std::vector<std::pair<date::sys_days, date::sys_days>> week_spans(date::year_month month) {
    std::vector<std::pair<date::sys_days, date::sys_days>> out;
    const date::sys_days first{month / 1};
    const date::sys_days last{month / date::last};
    for (auto d = first; d <= last;) {
        auto end = d;
        while (end < last && date::weekday{end + date::days{1}} != date::Monday)
            end += date::days{1};
        out.emplace_back(d, end);
        d = end + date::days{1};
    }
    return out;
}

core::time_point local_start(date::sys_days d, const date::time_zone* tz) {
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        tz->to_sys(date::local_days{d.time_since_epoch()}, date::choose::earliest));
}

boost::json::array weeks(const directory& dir, std::span<const core::submission> subs,
                         date::year_month month, const date::time_zone* tz,
                         const core::system_thresholds& t) {
    boost::json::array out;
    for (const auto& [first, last] : week_spans(month)) {
        const auto from = local_start(first, tz);
        const auto to = local_start(last + date::days{1}, tz);
        tally system;
        std::map<std::string, tally> places;
        for (const auto& p : dir.practices)
            places.try_emplace(p.place);
        for (const auto& s : subs) {
            if (!counts(s, from, to)) continue;
            system.add(s, dir.weight(s.practice));
            if (const auto* p = dir.find(s.practice)) places[p->place].add(s, dir.weight(s.practice));
        }
        boost::json::object place_levels;
        for (const auto& [id, g] : places)
            place_levels[id] = g.level(t);
        out.push_back({{"start", date::format("%F", first)},
                       {"end", date::format("%F", last)},
                       {"responses", system.responses()},
                       {"by_level", system.by_level()},
                       {"level", system.level(t)},
                       {"places", std::move(place_levels)}});
    }
    return out;
}

} // namespace

void add_board_figures(boost::json::object& report, date::year_month month,
                       const date::time_zone* tz, std::span<const core::submission> submissions,
                       std::span<const core::practice> practices,
                       const core::system_thresholds& t) {
    const directory dir(practices, t);
    report["groups"] = groups(dir, submissions, month_bounds(month, tz), t);
    report["weeks"] = weeks(dir, submissions, month, tz, t);
    report["previous"] =
        build_monthly(month - date::months{1}, tz, submissions, practices, t);
}

} // namespace opel::summary
