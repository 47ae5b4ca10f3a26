#pragma once
// The integration-test fixture: a real app on port 0 in a temp directory, with
// an injected clock, run on its own thread; stopped and cleaned up on scope exit.

#include "app/app.hpp"
#include "config/config_loader.hpp"
#include "support/paths.hpp"
#include "support/temp_dir.hpp"
#include "support/http_client.hpp"

#include <catch2/catch.hpp>
#include <date/date.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

namespace opel::test {

/// The demo tokens the fixture configures.
inline const std::string practice_token = "token-practice-C82001";
inline const std::string other_practice_token = "token-practice-C82002";
inline const std::string team_token = "token-team";
inline const std::string control_token = "token-control";
inline const std::string admin_token = "token-admin";

/// What a test changes in the fixture's config.
struct config_options {
    std::string extra{};            ///< top-level sections appended as they are
    std::string limits = "rate: 0"; ///< the body of `limits:`
    std::string http{};             ///< more keys of `http:`, each "  key: value\n"
    std::string listen = "127.0.0.1:0"; ///< `http.listen`
    std::size_t sse_queue_limit = 0; ///< app_options::sse_queue_limit
};

/// Writes a config into `dir` and returns its path.
inline std::filesystem::path write_config(const std::filesystem::path& dir,
                                          const config_options& o = {}) {
    const std::filesystem::path src = OPEL_SOURCE_DIR;
    const auto file = dir / "opeld.yaml";
    std::ofstream out(file);
    out << "timezone: Europe/London\n"
        << "database: opeld.db\n"
        << "practices: " << (src / "config/practices.yaml").string() << "\n"
        << "rules: " << (src / "rules/llr.yaml").string() << "\n"
        << "http:\n  listen: " << o.listen << "\n" << o.http
        << "zmq:\n  ingest: tcp://127.0.0.1:*\n  publish: tcp://127.0.0.1:*\n"
        << "calendar:\n  working_days: [mon, tue, wed, thu, fri]\n"
        << "  holidays: [2026-12-25, 2026-12-28]\n"
        << "limits:\n  " << o.limits << "\n"
        << "tokens:\n";
    const auto tok = [&](const std::string& name, const std::string& token,
                         const std::string& role, const std::string& practice) {
        out << "  - name: " << name << "\n    sha256: " << config::sha256_hex(token)
            << "\n    role: " << role << "\n";
        if (!practice.empty())
            out << "    practice: " << practice << "\n";
    };
    tok("C82001 manager", practice_token, "practice", "C82001");
    tok("C82002 manager", other_practice_token, "practice", "C82002");
    tok("team", team_token, "team", "");
    tok("control room", control_token, "control_room", "");
    tok("admin", admin_token, "admin", "");
    out << o.extra;
    return file;
}

/// 2026-11-25 (a Wednesday) 10:00 UTC, the default test start.
inline core::time_point test_epoch() {
    using namespace date;
    return core::time_point{sys_days{2026_y / November / 25} + std::chrono::hours{10}};
}

/// The app running on its own thread.
class test_daemon {
public:
    explicit test_daemon(const config_options& o = {}, core::time_point start = test_epoch())
        : dir_(std::make_shared<temp_dir>()), clock_(start), sse_queue_limit_(o.sse_queue_limit) {
        config_ = write_config(dir_->path(), o);
        boot();
    }
    /// A second daemon on the directory (and database) of `earlier`, which
    /// must have been stopped: a restart.
    test_daemon(const test_daemon& earlier, core::time_point start)
        : dir_(earlier.dir_), clock_(start), config_(earlier.config_) {
        boot();
    }
    ~test_daemon() { stop(); }

    /// Stops the app and waits for run() to return.
    int stop() {
        if (thread_.joinable()) {
            app_->stop();
            thread_.join();
        }
        return exit_code_;
    }

    std::uint16_t port() const { return app_->http_port(); }
    http_client client() const { return http_client(port()); }
    core::manual_clock& clock() { return clock_; }
    app::app& daemon() { return *app_; }
    const std::filesystem::path& config_file() const { return config_; }
    const std::filesystem::path& dir() const { return dir_->path(); }

private:
    void boot() {
        app::app_options opts;
        opts.clock = &clock_;
        opts.handle_signals = false;
        opts.notify_systemd = false;
        opts.sse_queue_limit = sse_queue_limit_;
        app_ = std::make_unique<app::app>(config::load_config_or_throw(config_), opts);
        thread_ = std::thread([this] { exit_code_ = app_->run(); });
        REQUIRE(app_->ready().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
    }

    std::shared_ptr<temp_dir> dir_;
    core::manual_clock clock_;
    std::filesystem::path config_;
    std::unique_ptr<app::app> app_;
    std::thread thread_;
    int exit_code_ = -1;
    std::size_t sse_queue_limit_ = 0;
};

} // namespace opel::test
