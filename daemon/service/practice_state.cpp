// The in-memory picture of where every practice stands. It is derived state:
// rebuilt from the submissions table at start and after a failed commit.
#include "service/practice_state.hpp"

#include "core/time.hpp"
#include "summary/daily.hpp"

#include <boost/json.hpp>

#include <map>

namespace opel::service {

void practice_state::record(const core::submission& s) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = latest_.try_emplace(s.practice);
    auto& held = it->second;
    if (inserted || s.reported_at > held.reported_at ||
        (s.reported_at == held.reported_at && s.id > held.id)) {
        held.id = s.id;
        held.level = s.level;
        held.themes = s.themes;
        held.reported_at = s.reported_at;
    }
}

void practice_state::clear() {
    std::lock_guard lock(mu_);
    latest_.clear();
}

std::unordered_map<std::string, standing> practice_state::snapshot() const {
    std::lock_guard lock(mu_);
    return latest_;
}

boost::json::object status_json(const std::vector<core::practice>& practices,
                                const std::unordered_map<std::string, standing>& latest,
                                core::time_point now, std::chrono::hours stale_after,
                                const core::system_thresholds& thresholds) {
    core::group_status system;
    std::map<std::string, core::group_status> places, pcns;
    boost::json::array rows;
    rows.reserve(practices.size());
    const auto weights = core::practice_weights(practices, thresholds.weight);
    for (std::size_t i = 0; i < practices.size(); ++i) {
        const auto& p = practices[i];
        boost::json::object row{{"code", p.code}, {"name", p.name}, {"pcn", p.pcn},
                                {"place", p.place}};
        const auto it = latest.find(p.code);
        if (it == latest.end()) {
            for (auto* g : {&system, &places[p.place], &pcns[p.pcn]})
                core::add_practice(*g, std::nullopt, false);
            row["level"] = nullptr;
            row["themes"] = boost::json::array{};
            row["reported_at"] = nullptr;
            row["stale"] = false;
        } else {
            const auto& s = it->second;
            // A report exactly stale_after old still stands, as in the summary.
            const bool fresh = now - s.reported_at <= stale_after;
            for (auto* g : {&system, &places[p.place], &pcns[p.pcn]})
                core::add_practice(*g, s.level, fresh, weights[i]);
            row["level"] = s.level;
            boost::json::array themes(s.themes.begin(), s.themes.end());
            row["themes"] = std::move(themes);
            row["reported_at"] = core::format_time(s.reported_at);
            row["stale"] = !fresh;
        }
        rows.emplace_back(std::move(row));
    }
    core::settle_level(system, thresholds);
    const auto settled = [&](std::map<std::string, core::group_status>& groups) {
        boost::json::object o;
        for (auto& [name, g] : groups) {
            core::settle_level(g, thresholds);
            o[name] = summary::group_json(g);
        }
        return o;
    };
    return {{"as_of", core::format_time(now)},
            {"system", summary::group_json(system)},
            {"places", settled(places)},
            {"pcns", settled(pcns)},
            {"practices", std::move(rows)}};
}

} // namespace opel::service
