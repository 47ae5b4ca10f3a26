// Building the daily summary object. Every figure is derived from one pass
// over the practices file and each practice's latest report, so the system,
// place and PCN blocks, the pressured list and the per-practice rows always
// agree with each other. Rendering lives in daily_render.cpp.
#include "summary/daily.hpp"

#include "core/time.hpp"
#include "summary/themes.hpp"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace opel::summary {

namespace {

// One practice as the summary sees it at generated_at.
struct standing {
    const core::practice* practice;
    const core::submission* latest; ///< null when it never reported
    bool fresh = false;             ///< latest is within the stale window
    bool silent = true;             ///< no report within not_reporting_after

    std::optional<int> level() const {
        return fresh ? std::optional<int>{latest->level} : std::nullopt;
    }
};

std::vector<standing> classify(const summary_input& in) {
    const auto as_of = in.as_of.value_or(in.generated_at);
    std::vector<standing> out;
    out.reserve(in.practices.size());
    for (std::size_t i = 0; i < in.practices.size(); ++i) {
        standing s{&in.practices[i], nullptr};
        if (i < in.latest.size() && in.latest[i]) {
            s.latest = &*in.latest[i];
            // A report exactly stale_after old still stands: "older" is stale.
            const auto age = as_of - s.latest->reported_at;
            s.fresh = age <= in.stale_after;
            s.silent = age > in.not_reporting_after;
        }
        out.push_back(s);
    }
    return out;
}

boost::json::value optional_text(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return boost::json::string(*s);
}

boost::json::array string_array(const std::vector<std::string>& v) {
    boost::json::array out;
    out.reserve(v.size());
    for (const auto& s : v)
        out.emplace_back(s);
    return out;
}

// The fields `pressured` and `practices` rows share.
boost::json::object practice_json(const standing& s) {
    const auto& p = *s.practice;
    boost::json::object o{{"code", p.code}, {"name", p.name}, {"pcn", p.pcn}, {"place", p.place}};
    if (!s.latest) {
        o["level"] = nullptr;
        o["themes"] = boost::json::array{};
        o["note"] = nullptr;
        o["support_requested"] = nullptr;
        o["reported_at"] = nullptr;
        return o;
    }
    o["level"] = s.latest->level;
    o["themes"] = string_array(s.latest->themes);
    o["note"] = optional_text(s.latest->note);
    o["support_requested"] = optional_text(s.latest->support_requested);
    o["reported_at"] = core::format_time(s.latest->reported_at);
    return o;
}

boost::json::array practice_rows(const std::vector<standing>& all) {
    boost::json::array out;
    out.reserve(all.size());
    for (const auto& s : all) {
        auto o = practice_json(s);
        o["stale"] = s.latest != nullptr && !s.fresh;
        out.push_back(std::move(o));
    }
    return out;
}

// Every place and PCN of the practices file appears, sorted by name, even
// with no report at all: the reader must see a silent place, not miss it.
boost::json::object grouped(const std::vector<standing>& all, const std::vector<double>& weights,
                            const core::system_thresholds& t,
                            const std::string core::practice::*key) {
    std::map<std::string, core::group_status> groups;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const auto& s = all[i];
        core::add_practice(groups[s.practice->*key],
                           s.latest ? std::optional{s.latest->level} : std::nullopt, s.fresh,
                           weights[i]);
    }
    boost::json::object out;
    for (auto& [name, g] : groups) {
        core::settle_level(g, t);
        out[name] = group_json(g);
    }
    return out;
}

boost::json::object system_json(const std::vector<standing>& all, const std::vector<double>& weights,
                                const core::system_thresholds& t) {
    core::group_status g;
    for (std::size_t i = 0; i < all.size(); ++i)
        core::add_practice(g, all[i].latest ? std::optional{all[i].latest->level} : std::nullopt,
                           all[i].fresh, weights[i]);
    core::settle_level(g, t);
    return group_json(g);
}

// Most pressured first (level 4 before 3), then by code.
boost::json::array pressured(const std::vector<standing>& all) {
    std::vector<const standing*> hit;
    for (const auto& s : all)
        if (s.level() && *s.level() >= 3) hit.push_back(&s);
    std::sort(hit.begin(), hit.end(), [](const standing* a, const standing* b) {
        if (a->latest->level != b->latest->level) return a->latest->level > b->latest->level;
        return a->practice->code < b->practice->code;
    });
    boost::json::array out;
    for (const auto* s : hit)
        out.push_back(practice_json(*s));
    return out;
}

boost::json::array standing_themes(const std::vector<standing>& all) {
    std::map<std::string, int> counts;
    for (const auto& s : all)
        if (s.fresh)
            for (const auto& t : s.latest->themes)
                ++counts[t];
    return rank_themes(counts);
}

boost::json::array not_reporting(const std::vector<standing>& all) {
    std::vector<std::string> codes;
    for (const auto& s : all)
        if (s.silent) codes.push_back(s.practice->code);
    std::sort(codes.begin(), codes.end());
    return string_array(codes);
}

// Only practices standing at a level in both summaries can have moved: one
// newly reporting or gone quiet shows in pressured or not_reporting instead.
boost::json::object changes(const std::vector<standing>& all,
                            const std::optional<boost::json::object>& previous) {
    std::vector<std::string> up, down;
    if (previous) {
        const auto before_list = standing_levels(*previous);
        const std::map<std::string, int> before(before_list.begin(), before_list.end());
        for (const auto& s : all) {
            const auto it = before.find(s.practice->code);
            if (!s.level() || it == before.end()) continue;
            if (*s.level() > it->second)
                up.push_back(s.practice->code);
            else if (*s.level() < it->second)
                down.push_back(s.practice->code);
        }
    }
    std::sort(up.begin(), up.end());
    std::sort(down.begin(), down.end());
    return boost::json::object{{"escalated", string_array(up)},
                               {"de_escalated", string_array(down)}};
}

} // namespace

boost::json::object group_json(const core::group_status& g) {
    boost::json::object counts;
    for (std::size_t i = 0; i < g.counts.size(); ++i)
        counts[std::to_string(i + 1)] = g.counts[i];
    boost::json::object o;
    o["level"] = g.level ? boost::json::value(*g.level) : boost::json::value(nullptr);
    o["counts"] = std::move(counts);
    o["practices"] = g.practices;
    o["reporting"] = g.reporting;
    o["stale"] = g.stale;
    return o;
}

// Each pressured practice's open support, so the 09:00 reader sees who is
// already being helped and who is not.
void add_support(boost::json::array& rows,
                 const std::map<std::string, boost::json::array>& support) {
    for (auto& row : rows) {
        auto& o = row.as_object();
        const auto it = support.find(std::string(o.at("code").as_string()));
        o["support"] = it == support.end() ? boost::json::array{} : it->second;
    }
}

boost::json::object build_daily(const summary_input& in) {
    const auto all = classify(in);
    const auto weights = core::practice_weights(in.practices, in.thresholds.weight);
    boost::json::object o;
    o["date"] = date::format("%F", date::sys_days{in.date});
    o["as_of"] = core::format_time(in.as_of.value_or(in.generated_at));
    o["generated_at"] = core::format_time(in.generated_at);
    o["late"] = in.late;
    if (!in.timezone.empty())
        o["timezone"] = in.timezone;
    o["system"] = system_json(all, weights, in.thresholds);
    o["by_place"] = grouped(all, weights, in.thresholds, &core::practice::place);
    o["by_pcn"] = grouped(all, weights, in.thresholds, &core::practice::pcn);
    o["pressured"] = pressured(all);
    add_support(o["pressured"].as_array(), in.support);
    o["themes"] = standing_themes(all);
    o["not_reporting"] = not_reporting(all);
    o["changes"] = changes(all, in.previous);
    o["open_alerts"] = in.open_alerts;
    o["practices"] = practice_rows(all);
    return o;
}

boost::json::object build_picture(const summary_input& in) {
    const auto all = classify(in);
    const auto weights = core::practice_weights(in.practices, in.thresholds.weight);
    return {{"system", system_json(all, weights, in.thresholds)},
            {"places", grouped(all, weights, in.thresholds, &core::practice::place)}};
}

std::vector<std::optional<core::submission>>
latest_per_practice(std::span<const core::practice> practices,
                    std::span<const core::submission> submissions, core::time_point as_of) {
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < practices.size(); ++i)
        index.emplace(practices[i].code, i);
    std::vector<std::optional<core::submission>> out(practices.size());
    for (const auto& s : submissions) {
        const auto it = index.find(s.practice);
        if (it == index.end() || s.reported_at > as_of) continue;
        auto& best = out[it->second];
        // Equal times: the later-stored (higher id) report is the latest.
        if (!best || s.reported_at > best->reported_at ||
            (s.reported_at == best->reported_at && s.id > best->id))
            best = s;
    }
    return out;
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
    // Exactly YYYY-MM-DD, digits only: a query parameter, not free text.
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
    unsigned v[3] = {0, 0, 0};
    const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
    for (int f = 0; f < 3; ++f)
        for (std::size_t i = starts[f]; i < starts[f] + lengths[f]; ++i) {
            if (text[i] < '0' || text[i] > '9') return std::nullopt;
            v[f] = v[f] * 10 + static_cast<unsigned>(text[i] - '0');
        }
    const date::year_month_day d{date::year{static_cast<int>(v[0])}, date::month{v[1]},
                                 date::day{v[2]}};
    if (!d.ok()) return std::nullopt;
    return d;
}

std::vector<std::pair<std::string, int>> standing_levels(const boost::json::object& summary) {
    // Read defensively: a previous summary comes back from the database and
    // may predate a field; a malformed row is skipped, never thrown on.
    std::vector<std::pair<std::string, int>> out;
    const auto* rows = summary.if_contains("practices");
    if (!rows || !rows->is_array()) return out;
    for (const auto& r : rows->get_array()) {
        const auto* o = r.if_object();
        if (!o) continue;
        const auto* code = o->if_contains("code");
        const auto* level = o->if_contains("level");
        const auto* stale = o->if_contains("stale");
        if (!code || !code->is_string() || !level || !level->is_int64()) continue;
        if (stale && stale->is_bool() && stale->get_bool()) continue;
        out.emplace_back(std::string(code->get_string()), static_cast<int>(level->get_int64()));
    }
    return out;
}

} // namespace opel::summary
