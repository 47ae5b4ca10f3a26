// The daily summary scheduler. The summaries table is the record of what was
// built: a fire builds only when its date is after the latest stored date
// (summary::due), checked again inside the write job on the writer thread, so
// two ticks, a restart or a reload can never build a date twice. The tick is
// stateless apart from that date: every second it asks for the latest fire in
// (database created, now] not yet built, which is also the start-up catch-up,
// so a daemon that was down, a clock that jumped and a reloaded `summary.at`
// are all handled by the same line. The summary, its `summary.daily` event and
// the practice-not-reporting check land in one transaction.
#include "service/summaries.hpp"

#include "log/log.hpp"
#include "rules/alert.hpp"
#include "store/queries.hpp"
#include "store/support.hpp"
#include "summary/daily.hpp"
#include "summary/daily_render.hpp"
#include "summary/monthly.hpp"
#include "summary/monthly_trend.hpp"
#include "webhook/outbox.hpp"

#include <spdlog/logger.h>

namespace opel::service {

namespace {

/// A fire built this long after its instant (a clock jump, a suspended
/// machine) is marked late like one missed while the daemon was down.
constexpr auto late_after = std::chrono::minutes{5};

/// The stored JSON text as an object; nullopt when missing or unreadable, so
/// a damaged old row costs only the `changes` lists, never the summary.
std::optional<boost::json::object> as_object(const std::optional<std::string>& text) {
    if (!text) return std::nullopt;
    boost::system::error_code ec;
    auto v = boost::json::parse(*text, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

std::optional<date::year_month_day> stored_last_date(store::sqlite::db& db) {
    const auto text = store::last_summary_date(db);
    return text ? summary::parse_date(*text) : std::nullopt;
}

/// Each practice's support open at `t`, as the summary lists it.
std::map<std::string, boost::json::array> open_support_as_of(store::sqlite::db& db,
                                                             core::time_point t) {
    std::map<std::string, boost::json::array> out;
    for (const auto& item : store::support_around(db, t)) {
        const auto state = item.state_at(t);
        if (state && core::is_open(*state))
            out[item.practice].push_back(
                {{"action", item.action}, {"state", core::state_name(*state)}});
    }
    return out;
}

} // namespace

summary::schedule schedule_of(const config::config& cfg) {
    const auto* tz = zone_of(cfg);
    return summary::schedule{cfg.summary.at, tz ? tz : date::locate_zone("Etc/UTC"), cfg.calendar};
}

std::string date_text(date::year_month_day d) {
    return date::format("%F", date::sys_days{d});
}

summary::summary_input picture_settings(const deployment& d) {
    const auto& cfg = *d.cfg;
    summary::summary_input in;
    in.practices = cfg.practices;
    in.stale_after = cfg.rules->stale_after;
    in.thresholds = cfg.rules->system;
    in.timezone = cfg.timezone;
    return in;
}

namespace {

/// The alerts open at `at`, as the API shows them.
boost::json::array alerts_open_at(store::sqlite::db& db, core::time_point at) {
    boost::json::array out;
    for (const auto& row : store::alert_rows_open_at(db, at))
        out.push_back(boost::json::parse(row));
    return out;
}

summary::summary_input input_for(store::sqlite::db& db, const deployment& d,
                                 date::year_month_day day, core::time_point as_of) {
    auto in = picture_settings(d);
    in.date = day;
    in.generated_at = as_of;
    in.as_of = as_of;
    in.latest = store::latest_as_of(db, d.cfg->practices, as_of);
    return in;
}

/// The picture one working day before `day`, for `changes`: the summary
/// stored for that day, or else the same picture worked out from the stored
/// reports as they stood at that day's summary.at.
boost::json::object previous_picture(store::sqlite::db& db, const deployment& d,
                                     date::year_month_day day) {
    const auto& cfg = *d.cfg;
    const auto sched = schedule_of(cfg);
    const date::year_month_day before{cfg.calendar.previous_working_day(date::sys_days{day})};
    if (auto stored = as_object(store::summary_on(db, date_text(before))))
        return std::move(*stored);
    return summary::build_daily(input_for(db, d, before, summary::fire_instant(sched, before)));
}

} // namespace

boost::json::object build_summary(store::sqlite::db& db, const deployment& d,
                                  const summary_request& r, core::time_point generated_at) {
    auto in = input_for(db, d, r.date, r.as_of);
    in.generated_at = generated_at;
    in.late = r.late;
    in.previous = previous_picture(db, d, r.date);
    // Every part of the summary is as of the one moment: the alerts too.
    in.open_alerts = alerts_open_at(db, r.as_of);
    in.support = open_support_as_of(db, r.as_of);
    return summary::build_daily(in);
}

boost::json::object daily_summary(store::sqlite::db& db, const deployment& d,
                                  const summary_request& r, core::time_point now) {
    if (const auto stored = store::summary_of(db, date_text(r.date)))
        return boost::json::parse(*stored).as_object();
    return build_summary(db, d, r, now);
}

boost::json::object monthly_report(store::sqlite::db& db, const deployment& d,
                                   date::year_month month) {
    const auto* tz = schedule_of(*d.cfg).tz;
    const auto [month_from, month_to] = summary::month_bounds(month, tz);
    // The reports of the month and the one before it: the report compares the two.
    const auto subs = store::submissions_between(
        db, summary::month_bounds(month - date::months{1}, tz).first, month_to);
    auto report = summary::build_monthly(month, tz, subs, d.cfg->practices, d.cfg->rules->system);
    summary::add_support(report, store::support_created_between(db, month_from, month_to),
                         store::escalations_between(db, month_from, month_to));
    summary::add_board_figures(report, month, tz, subs, d.cfg->practices, d.cfg->rules->system);
    return report;
}

summaries::summaries(store::store& st, alerting& alerts, std::shared_ptr<const deployment> d,
                     const core::clock& clock)
    : store_(st), alerts_(alerts), clock_(clock), created_(st.created_at()), started_(clock.now()),
      deployment_(std::move(d)), schedule_(schedule_of(*deployment_->cfg)),
      last_date_(stored_last_date(st.startup_db())) {}

void summaries::set_deployment(std::shared_ptr<const deployment> d) {
    std::lock_guard lock(mu_);
    schedule_ = schedule_of(*d->cfg);
    deployment_ = std::move(d);
}

void summaries::resume() {
    // The same question the tick asks; asked at once so the late summary does
    // not wait for the first second to pass.
    tick();
}

std::optional<summary_request> summaries::take_due(core::time_point now, date_t& before) {
    std::lock_guard lock(mu_);
    const auto fire = summary::latest_missed(schedule_, last_date_, created_, now);
    if (!fire) return std::nullopt;
    summary_request r{summary::fire_date(schedule_, *fire), *fire,
                      *fire < started_ || now - *fire > late_after};
    before = last_date_;
    last_date_ = r.date; // in flight: later ticks do not queue it again
    return r;
}

void summaries::tick(std::function<void()> done) {
    date_t before;
    const auto r = take_due(clock_.now(), before);
    if (!r) return barrier(std::move(done));
    std::shared_ptr<const deployment> d;
    {
        std::lock_guard lock(mu_);
        d = deployment_;
    }
    queue(std::move(d), *r, before, std::move(done));
}

void summaries::queue(std::shared_ptr<const deployment> d, const summary_request& r, date_t before,
                      std::function<void()> done) {
    auto seen = std::make_shared<date_t>();
    auto job = [this, d = std::move(d), r, seen](store::transaction& tx) {
        *seen = stored_last_date(tx.db());
        if (!summary::due(r.date, *seen))
            return; // already built: an admin's POST for the day, or a second queue
        alerts_.apply(tx, alerts_.engine().check_not_reporting(tx.now()));
        publish(tx, *d, r);
        if (r.late)
            log::of<"summary">()->info("built the missed summary of {} late", date_text(r.date));
    };
    auto after = [this, r, before, seen, done](bool committed) {
        settle(r, before, committed, *seen);
        if (done) done();
    };
    if (!store_.write(std::move(job), std::move(after))) {
        settle(r, before, false, std::nullopt);
        if (done) done();
    }
}

void summaries::settle(const summary_request& r, date_t before, bool committed,
                       date_t stored_last) {
    std::lock_guard lock(mu_);
    if (!committed) {
        // Not stored: give the date back so the next tick tries again.
        if (last_date_ == r.date) last_date_ = before;
        log::of<"summary">()->warn("the summary of {} was not stored; retrying on the next tick",
                                   date_text(r.date));
        return;
    }
    if (stored_last && (!last_date_ || *stored_last > *last_date_)) last_date_ = stored_last;
}

void summaries::barrier(std::function<void()> done) {
    if (!done) return;
    // The writer runs jobs in order, so an empty job's commit means any build
    // queued before it (the start-up catch-up, say) has been committed too.
    if (!store_.write([](store::transaction&) {}, [done](bool) { done(); })) done();
}

boost::json::object summaries::publish(store::transaction& tx, const deployment& d,
                                       const summary_request& r) {
    auto summary = build_summary(tx.db(), d, r, tx.now());
    auto text = summary::render_daily_json(summary);
    tx.put_summary(date_text(r.date), text);
    webhook::record(tx, *d.cfg, tx.append_event("summary.daily", std::move(text)));
    log::of<"summary">()->debug("summary of {} built and published", date_text(r.date));
    return summary;
}

date::year_month_day summaries::local_date(core::time_point t) const {
    std::lock_guard lock(mu_);
    return summary::local_date(schedule_, t);
}

core::time_point summaries::fire_instant(date::year_month_day d) const {
    std::lock_guard lock(mu_);
    return summary::fire_instant(schedule_, d);
}

} // namespace opel::service
