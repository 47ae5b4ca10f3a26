#pragma once
// The owner object: holds every part of the daemon by value, starts them in
// the order written in start_all() and stops them in the reverse order. main()
// builds one and runs it; the integration tests build one on port 0.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "service/alerting.hpp"
#include "service/gatekeeper.hpp"
#include "service/ingest.hpp"
#include "service/metrics.hpp"
#include "service/practice_state.hpp"
#include "service/services.hpp"
#include "service/summaries.hpp"
#include "service/support_desk.hpp"
#include "store/store.hpp"
#include "webhook/sender.hpp"
#include "zmq/bridge.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <filesystem>
#include <future>
#include <memory>
#include <optional>

namespace opel::app {

/// How the app is run: the daemon passes the defaults; tests inject a clock.
struct app_options {
    const core::clock* clock = nullptr; ///< null: the system clock
    bool handle_signals = true;         ///< SIGTERM/SIGINT stop, SIGHUP reloads
    bool notify_systemd = true;         ///< sd_notify READY/RELOADING/STOPPING
    std::size_t sse_queue_limit = 0;    ///< bytes per SSE client; 0: the default (1 MiB)
};

/// The daemon.
class app {
public:
    /// Opens the store, loads state and binds every listener; throws on failure.
    app(config::config cfg, app_options opts = {});
    ~app();
    app(const app&) = delete;
    app& operator=(const app&) = delete;

    /// Runs until stopped; returns the process exit code.
    int run();
    /// Asks run() to return after a graceful stop; safe from any thread.
    void stop();
    /// Reloads the config file; safe from any thread. A bad file keeps the old.
    void reload();

    /// The HTTP port actually bound.
    std::uint16_t http_port() const { return http_server_->port(); }
    /// The ZeroMQ endpoints actually bound (empty when off).
    std::string zmq_ingest_endpoint() const { return bridge_ ? bridge_->ingest_endpoint() : ""; }
    std::string zmq_publish_endpoint() const {
        return bridge_ ? bridge_->publish_endpoint() : "";
    }
    /// Runs the time-driven work due by the clock now (what the 1-second
    /// timer does); ready once it is committed. For tests on a manual clock.
    std::future<void> run_timers();
    /// The counters /metrics shows, for tests that wait on one.
    const service::metrics& metrics() const { return metrics_; }
    /// The store, for tests that inject faults through store::maintain().
    store::store& store() { return *store_; }
    /// Becomes ready once run() has started every part.
    std::shared_future<void> ready() const { return ready_future_; }

private:
    void start_all();
    void begin_stop();
    void do_reload();
    void on_signal(const boost::system::error_code& ec, int signo);
    void load_state();
    void schedule_tick();
    void schedule_watchdog(std::chrono::microseconds interval);
    void prune_idempotency_keys();
    void start_bridge(const config::zmq_config& z,
                      const config::address_limits_config& per_address);
    void fan_out(std::vector<core::event>&& events);

    std::filesystem::path config_file_;
    app_options opts_;
    core::system_clock system_clock_;
    const core::clock& clock_;
    boost::asio::io_context ioc_{1};
    std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
    boost::asio::signal_set signals_;
    boost::asio::steady_timer tick_timer_;
    boost::asio::steady_timer watchdog_timer_;
    service::metrics metrics_;
    service::practice_state state_;
    std::unique_ptr<store::store> store_;
    std::unique_ptr<service::alerting> alerting_;
    std::unique_ptr<service::summaries> summaries_;
    std::unique_ptr<service::support_desk> support_;
    std::unique_ptr<service::gatekeeper> gatekeeper_;
    std::unique_ptr<service::ingest> ingest_;
    std::unique_ptr<webhook::sender> sender_;
    std::unique_ptr<service::services> services_;
    http::event_hub hub_; ///< the live events for SSE streams; outlives them
    std::unique_ptr<http::router> router_;
    std::unique_ptr<http::server> http_server_;
    std::unique_ptr<zmq::bridge> bridge_;
    std::promise<void> ready_;
    std::shared_future<void> ready_future_{ready_.get_future().share()};
    bool stopping_ = false;
    core::time_point last_prune_{};
    std::thread stop_guard_;
    std::mutex stop_mu_;
    std::condition_variable stop_cv_;
    bool stopped_ = false;
};

} // namespace opel::app
