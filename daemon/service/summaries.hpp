#pragma once
// The daily summary in the running daemon: the 09:00 scheduler (never twice
// for a date, the latest missed one built late on start), and building,
// storing and publishing a summary inside one write transaction. What a
// summary says and when it fires are decided in daemon/summary/; this only
// gathers the inputs from the store and the rules engine.

#include "core/clock.hpp"
#include "service/alerting.hpp"
#include "service/deployment.hpp"
#include "store/store.hpp"
#include "summary/daily.hpp"
#include "summary/schedule.hpp"

#include <boost/json.hpp>
#include <date/date.h>

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace opel::service {

/// Which summary to build: its date, the instant it pictures, whether late.
struct summary_request {
    date::year_month_day date;
    core::time_point as_of{}; ///< the reports at or before this instant count
    bool late = false;
};

/// The schedule `cfg` asks for: summary.at in its timezone on its calendar.
summary::schedule schedule_of(const config::config& cfg);

/// "2026-11-26".
std::string date_text(date::year_month_day d);

/// What every picture of `d` is drawn with: its practices (which must outlive
/// the result, as `d` does), stale window, group-level thresholds and zone.
summary::summary_input picture_settings(const deployment& d);

/// Builds the summary `r` describes from `db` (either connection), all of it
/// as of r.as_of: each practice's latest report then, the alerts open then,
/// and `changes` against the picture one working day earlier (its stored
/// summary, or else worked out from the stored reports).
boost::json::object build_summary(store::sqlite::db& db, const deployment& d,
                                  const summary_request& r, core::time_point generated_at);

/// The summary of `r.date` as stored at its 09:00, or, when none was stored
/// (a future or missed date, today before summary.at), one built now as of
/// r.as_of.
boost::json::object daily_summary(store::sqlite::db& db, const deployment& d,
                                  const summary_request& r, core::time_point now);

/// The monthly report of `month` (local), with its board-paper figures and
/// the support given and escalations made in it.
boost::json::object monthly_report(store::sqlite::db& db, const deployment& d,
                                   date::year_month month);

/// The scheduler and publisher of the daily summary.
class summaries {
public:
    /// A scheduler for `d`; reads the store's record of summaries built so far.
    summaries(store::store& st, alerting& alerts, std::shared_ptr<const deployment> d,
              const core::clock& clock);

    /// Swaps in a reloaded deployment (summary.at, timezone, calendar, practices).
    void set_deployment(std::shared_ptr<const deployment> d);
    /// At start, after the store has started: builds the latest summary missed
    /// while the daemon was down (late), if any.
    void resume();
    /// Queues the summary that is due by the clock, if any; `done` runs after
    /// it (and any build already queued) is committed. Any thread.
    void tick(std::function<void()> done = {});

    /// Writer thread, inside a job: builds the summary of `r` with the open
    /// alerts now, stores it and publishes it as `summary.daily`; returns it.
    boost::json::object publish(store::transaction& tx, const deployment& d,
                                const summary_request& r);
    /// The local date of `t` in the schedule's zone.
    date::year_month_day local_date(core::time_point t) const;
    /// The instant the schedule's `at` falls on `d`.
    core::time_point fire_instant(date::year_month_day d) const;

private:
    using date_t = std::optional<date::year_month_day>;
    std::optional<summary_request> take_due(core::time_point now, date_t& before);
    void queue(std::shared_ptr<const deployment> d, const summary_request& r, date_t before,
               std::function<void()> done);
    void settle(const summary_request& r, date_t before, bool committed, date_t stored_last);
    void barrier(std::function<void()> done);

    store::store& store_;
    alerting& alerts_;
    const core::clock& clock_;
    const core::time_point created_; ///< the database's creation: nothing before is missed
    const core::time_point started_; ///< fires before this were missed while down: late
    mutable std::mutex mu_;          ///< guards the members below
    std::shared_ptr<const deployment> deployment_;
    summary::schedule schedule_;
    date_t last_date_; ///< the latest date built or being built
};

} // namespace opel::service
