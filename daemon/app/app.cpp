// The owner object. Start-up reads top to bottom in the constructor and
// start_all(); begin_stop() undoes it in the reverse order. A stop lets every
// acknowledged-or-pending submission finish: the listeners close first, then a
// barrier job goes through the store's queue, and only when it has come back
// is the io_context allowed to run out of work and return.
#include "app/app.hpp"

#include "app/permissions.hpp"

#include "config/config_loader.hpp"
#include "log/log.hpp"
#include "http/alerts_api.hpp"
#include "http/audit_api.hpp"
#include "http/events_api.hpp"
#include "http/history_api.hpp"
#include "http/me_api.hpp"
#include "http/static_api.hpp"
#include "http/subscribers_api.hpp"
#include "http/summary_api.hpp"
#include "summary/themes.hpp"
#include "http/support_api.hpp"
#include "store/audit.hpp"
#include "store/queries.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>
#include <systemd/sd-daemon.h>

#include <algorithm>
#include <csignal>
#include <ctime>

namespace opel::app {

namespace {

std::vector<std::string> subscriber_names(const config::config& c) {
    std::vector<std::string> names;
    for (const auto& s : c.subscribers)
        names.push_back(s.name);
    return names;
}

webhook::channel_settings channels_of(const service::deployment& d) {
    const auto& c = *d.cfg;
    return {c.smtp, d.practice_list(), c.public_url, c.timezone, summary::theme_names_of(*c.rules),
            summary::action_names_of(*c.rules)};
}

void warn_about_permissions(const config::config& cfg) {
    for (const auto& w : permission_warnings(secret_files(cfg)))
        log::of<"app">()->warn("{}", w);
}

} // namespace

app::app(config::config cfg, app_options opts)
    : config_file_(cfg.file), opts_(opts), clock_(opts.clock ? *opts.clock : system_clock_),
      signals_(ioc_), tick_timer_(ioc_), watchdog_timer_(ioc_) {
    auto current = std::make_shared<const service::deployment>(
        std::make_shared<const config::config>(std::move(cfg)));
    const auto& c = *current->cfg;
    warn_about_permissions(c);
    store_ = std::make_unique<store::store>(c.database, clock_);
    load_state();
    alerting_ = std::make_unique<service::alerting>(*store_, current, clock_);
    summaries_ = std::make_unique<service::summaries>(*store_, *alerting_, current, clock_);
    support_ = std::make_unique<service::support_desk>(*alerting_);
    sender_ = std::make_unique<webhook::sender>(ioc_.get_executor(), *store_, clock_,
                                                c.subscribers, metrics_.webhooks);
    sender_->set_channels(channels_of(*current));
    sender_->on_health([this](store::transaction& tx, const webhook::health& h) {
        alerting_->webhook_health(tx, h);
    });
    gatekeeper_ = std::make_unique<service::gatekeeper>(clock_, metrics_);
    gatekeeper_->set_deployment(current);
    ingest_ = std::make_unique<service::ingest>(ioc_.get_executor(), *store_, clock_, *gatekeeper_,
                                                state_, metrics_);
    ingest_->set_deployment(current);
    ingest_->set_evaluator(alerting_->evaluator());
    services_.reset(new service::services{ioc_.get_executor(), *gatekeeper_, *ingest_, state_,
                                          *store_, metrics_, clock_, *alerting_, current});
    router_ = std::make_unique<http::router>(*services_);
    http::add_core_routes(*router_);
    http::add_alert_routes(*router_);
    http::sse_limits sse;
    if (opts_.sse_queue_limit > 0)
        sse.max_queued_bytes = opts_.sse_queue_limit;
    http::add_event_routes(*router_, hub_, sse);
    http::add_summary_routes(*router_, *summaries_);
    http::add_history_routes(*router_);
    http::add_me_routes(*router_);
    http::add_import_routes(*router_);
    http::add_subscriber_routes(*router_, *sender_);
    http::add_audit_routes(*router_);
    http::add_support_routes(*router_, *support_);
    http::add_escalation_routes(*router_, *support_, *summaries_);
    http::add_static_routes(*router_);
    http_server_ = std::make_unique<http::server>(ioc_, c.http, *router_, metrics_);
    http_server_->set_address_limits(c.limits.per_address);
    log::of<"app">()->info("listening on {}://{}:{}", http_server_->tls() ? "https" : "http",
                           c.http.listen.host, http_server_->port());
    start_bridge(c.zmq, c.limits.per_address);
    store_->on_events([this](std::vector<core::event>&& events) { fan_out(std::move(events)); });
}

void app::start_bridge(const config::zmq_config& z,
                       const config::address_limits_config& per_address) {
    if (z.ingest.empty() && z.publish.empty())
        return;
    auto o = zmq::options_from(z, per_address);
    o.clock = &clock_;
    // The bridge thread hands each payload to the io thread, where the one
    // submission path runs; the answer goes back through `done`.
    bridge_ = std::make_unique<zmq::bridge>(o, [this](std::string payload, std::string peer,
                                                      auto done) {
        boost::asio::post(ioc_, [this, payload = std::move(payload), peer = std::move(peer),
                                 done]() mutable {
            service::submission_request req;
            req.body = std::move(payload);
            req.kind = core::ingest_kind::zmq;
            req.peer = std::move(peer);
            ingest_->submit(std::move(req), std::move(done));
        });
    });
    log::of<"app">()->info("zmq ingest {} publish {}", bridge_->ingest_endpoint(),
                           bridge_->publish_endpoint());
}

void app::fan_out(std::vector<core::event>&& events) {
    // Writer thread, after the commit: PUB first (its own queue), then the
    // SSE streams on the io thread. Both keep seq order.
    metrics_.events_published += events.size();
    // A committed alert or summary may have webhook deliveries: the sender
    // looks now rather than at the next one-second tick.
    if (std::any_of(events.begin(), events.end(), [](const core::event& e) {
            return !e.topic.starts_with("status.");
        }))
        sender_->tick();
    if (bridge_)
        bridge_->publish(events);
    boost::asio::post(ioc_, [this, events = std::move(events)] {
        hub_.publish(events);
    });
}

app::~app() {
    if (store_)
        store_->stop();
}

void app::load_state() {
    for (const auto& s : store::all_submissions(store_->startup_db()))
        state_.record(s);
    // The in-memory picture is derived from disk; after a failed commit it is
    // rebuilt from disk too, so it never shows what was not stored.
    store_->on_rollback([this] {
        state_.clear();
        for (const auto& s : store::all_submissions(store_->startup_db()))
            state_.record(s);
        alerting_->rebuild();
    });
}

void app::start_all() {
    work_.emplace(ioc_.get_executor());
    store_->start();
    if (bridge_)
        bridge_->start();
    alerting_->resume();
    alerting_->keep_webhook_alerts(subscriber_names(*services_->deployment->cfg));
    summaries_->resume(); // the latest summary missed while stopped, marked late
    schedule_tick();
    http_server_->start();
    if (opts_.handle_signals) {
        signals_.add(SIGTERM);
        signals_.add(SIGINT);
        signals_.add(SIGHUP);
        signals_.async_wait([this](auto ec, int signo) { on_signal(ec, signo); });
    }
    ready_.set_value();
    if (opts_.notify_systemd) {
        sd_notify(0, "READY=1\nSTATUS=running");
        std::uint64_t usec = 0;
        if (sd_watchdog_enabled(0, &usec) > 0)
            schedule_watchdog(std::chrono::microseconds(usec / 2));
    }
    log::of<"app">()->info("ready");
}

int app::run() {
    boost::asio::post(ioc_, [this] { start_all(); });
    ioc_.run();
    {
        std::lock_guard lock(stop_mu_);
        stopped_ = true;
    }
    stop_cv_.notify_all();
    if (stop_guard_.joinable())
        stop_guard_.join();
    store_->stop();
    log::of<"app">()->info("stopped");
    return 0;
}

void app::schedule_tick() {
    // The timers are checked every second against the (injectable) clock
    // rather than armed for their exact instant: a manual clock in the tests
    // and a wall clock that jumps are both handled the same way.
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || stopping_)
            return;
        alerting_->tick();
        summaries_->tick();
        sender_->tick();
        prune_idempotency_keys();
        schedule_tick();
    });
}

void app::prune_idempotency_keys() {
    // Keys are kept at least the contract's 7 days; a day more, then dropped
    // hourly, so the table stays the size of a week of keyed submissions.
    const auto now = clock_.now();
    if (now - last_prune_ < std::chrono::hours(1))
        return;
    last_prune_ = now;
    const auto cutoff = now - std::chrono::hours(24 * 8);
    store_->write([cutoff](store::transaction& tx) { store::prune_idempotency(tx.db(), cutoff); },
                  {});
}

void app::schedule_watchdog(std::chrono::microseconds interval) {
    // Petted from the event loop itself: if the loop is stuck, the pets stop
    // and systemd restarts the daemon.
    watchdog_timer_.expires_after(interval);
    watchdog_timer_.async_wait([this, interval](const boost::system::error_code& ec) {
        if (ec || stopping_)
            return;
        sd_notify(0, "WATCHDOG=1");
        schedule_watchdog(interval);
    });
}

std::future<void> app::run_timers() {
    auto done = std::make_shared<std::promise<void>>();
    auto result = done->get_future();
    boost::asio::post(ioc_, [this, done] {
        alerting_->tick([this, done] {
            summaries_->tick([this, done] { sender_->tick([done] { done->set_value(); }); });
        });
    });
    return result;
}

void app::stop() {
    boost::asio::post(ioc_, [this] { begin_stop(); });
}

void app::reload() {
    boost::asio::post(ioc_, [this] { do_reload(); });
}

void app::on_signal(const boost::system::error_code& ec, int signo) {
    if (ec)
        return;
    if (signo == SIGHUP) {
        do_reload();
        signals_.async_wait([this](auto e, int s) { on_signal(e, s); });
        return;
    }
    log::of<"app">()->info("signal {}: stopping", signo);
    begin_stop();
}

void app::begin_stop() {
    if (stopping_)
        return;
    stopping_ = true;
    if (opts_.notify_systemd)
        sd_notify(0, "STOPPING=1");
    boost::system::error_code ignored;
    signals_.cancel(ignored);
    tick_timer_.cancel();
    watchdog_timer_.cancel();
    sender_->stop(); // what is in flight stays pending, for the next start
    http_server_->stop();
    hub_.shutdown();
    // Every write queued before the barrier has posted its answer by the time
    // the barrier's own completion arrives here.
    const auto finish = [this] {
        if (bridge_)
            bridge_->stop(); // sends the replies already handed to it, then closes
        work_.reset();
    };
    const bool queued = store_->write([](store::transaction&) {}, [this, finish](bool) {
        boost::asio::post(ioc_, finish);
    });
    if (!queued)
        finish();
    // A timer on the io_context would itself keep run() from returning, so
    // the 5-second bound is kept by a thread that run() releases.
    stop_guard_ = std::thread([this] {
        std::unique_lock lock(stop_mu_);
        if (!stop_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return stopped_; })) {
            log::of<"app">()->warn(
                "graceful stop took over 5 s; closing the remaining connections");
            ioc_.stop();
        }
    });
}

void app::do_reload() {
    // systemd (253 and later) wants the monotonic time of the reload's start
    // with RELOADING=1, to tell this reload from an earlier one.
    if (opts_.notify_systemd) {
        timespec ts{};
        clock_gettime(CLOCK_MONOTONIC, &ts);
        const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1000000ULL +
                          static_cast<unsigned long long>(ts.tv_nsec) / 1000ULL;
        sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", usec);
    }
    std::vector<core::diagnostic> errors;
    auto cfg = config::load_config(config_file_, errors);
    // Reloads are audited too: who sent the signal is not known, so the
    // daemon is the actor.
    store_->write(
        [ok = cfg.has_value(), n = errors.size(),
         file = config_file_.filename().string()](store::transaction& tx) {
            store::record_audit(tx, {.actor = "opeld",
                                     .role = "system",
                                     .action = "config.reload",
                                     .target = file,
                                     .status = ok ? 200 : 422,
                                     .detail = ok ? "{}"
                                                  : "{\"errors\":" + std::to_string(n) + "}"});
        },
        {});
    if (!cfg) {
        for (const auto& e : errors)
            log::of<"app">()->error("reload refused: {}", e.to_string());
        log::of<"app">()->error("reload refused: the old configuration stays in force");
        if (opts_.notify_systemd)
            sd_notify(0, "STATUS=last reload refused; the old configuration stays in force");
    } else {
        warn_about_permissions(*cfg);
        auto next = std::make_shared<const service::deployment>(
            std::make_shared<const config::config>(std::move(*cfg)));
        gatekeeper_->set_deployment(next);
        ingest_->set_deployment(next);
        alerting_->reload(next);
        summaries_->set_deployment(next);
        sender_->set_channels(channels_of(*next));
        sender_->set_subscribers(next->cfg->subscribers);
        alerting_->keep_webhook_alerts(subscriber_names(*next->cfg));
        http_server_->set_address_limits(next->cfg->limits.per_address);
        if (bridge_)
            bridge_->set_address_limits(next->cfg->limits.per_address);
        http_server_->reload_tls(next->cfg->http);
        services_->deployment = next;
        log::of<"app">()->info("reloaded {}: {} practices, {} tokens", config_file_.string(),
                               next->cfg->practices.size(), next->cfg->tokens.size());
        if (opts_.notify_systemd)
            sd_notify(0, "STATUS=running");
    }
    if (opts_.notify_systemd)
        sd_notify(0, "READY=1");
}

} // namespace opel::app
