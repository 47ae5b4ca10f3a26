// The history of levels. The system history replays the stored reports once,
// in order, over the days' picture instants, and draws each day with
// build_picture, so a day's level is the level its 09:00 summary shows (the
// same thresholds, stale window and group rule), never a second reckoning.
#include "summary/history.hpp"

#include "core/time.hpp"

#include <string_view>
#include <unordered_map>

namespace opel::summary {

namespace {

std::string date_text(date::year_month_day d) {
    return date::format("%F", date::sys_days{d});
}

boost::json::value text_or_null(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return boost::json::string(*s);
}

} // namespace

std::vector<history_day> history_days(const schedule& s, core::time_point now, int n) {
    const auto today = date::sys_days{local_date(s, now)};
    std::vector<history_day> out;
    out.reserve(static_cast<std::size_t>(n > 0 ? n : 0));
    for (int i = n - 1; i >= 0; --i) {
        const date::year_month_day d{today - date::days{i}};
        const auto fire = fire_instant(s, d);
        out.push_back({d, fire < now ? fire : now});
    }
    return out;
}

boost::json::array status_history(summary_input base, std::span<const history_day> days,
                                  std::span<const core::submission> later) {
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t i = 0; i < base.practices.size(); ++i)
        index.emplace(base.practices[i].code, i);
    base.latest.resize(base.practices.size());
    boost::json::array out;
    out.reserve(days.size());
    std::size_t next = 0;
    for (const auto& day : days) {
        // `later` is in (reported_at, id) order, so the last applied is the latest.
        for (; next < later.size() && later[next].reported_at <= day.as_of; ++next) {
            const auto it = index.find(later[next].practice);
            if (it != index.end()) base.latest[it->second] = later[next];
        }
        base.date = day.date;
        base.as_of = day.as_of;
        base.generated_at = day.as_of;
        auto picture = build_picture(base);
        out.push_back({{"date", date_text(day.date)},
                       {"as_of", core::format_time(day.as_of)},
                       {"system", std::move(picture["system"])},
                       {"places", std::move(picture["places"])}});
    }
    return out;
}

core::time_point start_of_day(const schedule& s, date::year_month_day d) {
    const date::local_time<std::chrono::seconds> midnight{date::local_days{d}.time_since_epoch()};
    return std::chrono::time_point_cast<std::chrono::microseconds>(
        s.tz->to_sys(midnight, date::choose::earliest));
}

boost::json::array practice_history(const schedule& s, std::span<const core::submission> reports) {
    boost::json::array out;
    std::optional<date::year_month_day> last;
    for (const auto& r : reports) {
        const auto d = local_date(s, r.reported_at);
        boost::json::object row{{"date", date_text(d)},
                                {"level", r.level},
                                {"themes", boost::json::array(r.themes.begin(), r.themes.end())},
                                {"note", text_or_null(r.note)},
                                {"reported_at", core::format_time(r.reported_at)}};
        // Oldest first: a later report of the same day replaces the row.
        if (last == d)
            out.back() = std::move(row);
        else
            out.push_back(std::move(row));
        last = d;
    }
    return out;
}

} // namespace opel::summary
