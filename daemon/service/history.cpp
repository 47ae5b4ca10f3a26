// The two history calls: what to read from the store for a window of days,
// handed to the pure history builders of summary/. The system history reads
// each practice's standing at the first day's instant with one indexed lookup
// per practice, then every report after it once, so 400 days cost two queries.
#include "service/history.hpp"

#include "service/summaries.hpp"
#include "store/queries.hpp"
#include "summary/history.hpp"

namespace opel::service {

boost::json::object status_history(store::sqlite::db& db, const deployment& d,
                                   core::time_point now, int days) {
    const auto sched = schedule_of(*d.cfg);
    const auto window = summary::history_days(sched, now, days);
    auto base = picture_settings(d);
    boost::json::array out;
    if (!window.empty()) {
        const auto first = window.front().as_of;
        const auto tick = std::chrono::microseconds{1};
        base.latest = store::latest_as_of(db, d.cfg->practices, first);
        const auto later = store::submissions_between(db, first + tick, window.back().as_of + tick);
        out = summary::status_history(std::move(base), window, later);
    }
    return {{"days", std::move(out)}};
}

boost::json::object practice_history(store::sqlite::db& db, const deployment& d,
                                     const std::string& code, core::time_point now, int days) {
    const auto sched = schedule_of(*d.cfg);
    const auto window = summary::history_days(sched, now, days);
    boost::json::array out;
    if (!window.empty()) {
        const auto from = summary::start_of_day(sched, window.front().date);
        const auto reports = store::practice_submissions_between(
            db, code, from, now + std::chrono::microseconds{1});
        out = summary::practice_history(sched, reports);
    }
    return {{"practice", code}, {"days", std::move(out)}};
}

} // namespace opel::service
