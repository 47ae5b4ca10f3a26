#pragma once
// Captures what the daemon logs, for tests that check what is (and is not)
// written, and that wait for the daemon to say it has done something. Make it
// before the daemon starts and let it outlive the daemon: spdlog's sink lists
// are not safe to change while other threads log.

#include "log/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace opel::test {

/// How many times `needle` occurs in `text`.
inline std::size_t occurrences(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1))
        ++n;
    return n;
}

/// A sink that keeps every formatted line in memory and wakes waiters.
class memory_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }
    /// Waits until `needle` has been logged `n` times; false after `timeout`.
    bool wait_for(const std::string& needle, std::size_t n, std::chrono::milliseconds timeout) {
        std::unique_lock lock(mutex_);
        return logged_.wait_for(lock, timeout,
                                [&] { return occurrences(text_, needle) >= n; });
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        text_.append(buf.data(), buf.size());
        logged_.notify_all(); // base_sink holds mutex_ here
    }
    void flush_() override {}

private:
    std::string text_;
    std::condition_variable logged_;
};

/// One module's logger at `level` for a scope (to see its debug lines), then
/// back at the level it had.
class scoped_log_level {
public:
    scoped_log_level(const char* module, spdlog::level::level_enum level)
        : logger_(opel::log::get(module)), old_(logger_->level()) {
        logger_->set_level(level);
    }
    ~scoped_log_level() { logger_->set_level(old_); }
    scoped_log_level(const scoped_log_level&) = delete;
    scoped_log_level& operator=(const scoped_log_level&) = delete;

private:
    std::shared_ptr<spdlog::logger> logger_;
    spdlog::level::level_enum old_;
};

class log_capture {
public:
    log_capture() : sink_(std::make_shared<memory_sink>()) {
        sink_->set_pattern("%l %n: %v");
        // Module loggers are clones of the default made on first use, so the
        // default gets the sink (for loggers to come) and so does each one made.
        // (default_logger() takes the registry's lock, which apply_all holds.)
        const auto def = spdlog::default_logger();
        def->sinks().push_back(sink_);
        spdlog::apply_all([this, &def](const std::shared_ptr<spdlog::logger>& l) {
            if (l != def)
                l->sinks().push_back(sink_);
        });
    }
    ~log_capture() {
        const auto drop = [this](const std::shared_ptr<spdlog::logger>& l) {
            auto& s = l->sinks();
            s.erase(std::remove(s.begin(), s.end(), sink_), s.end());
        };
        drop(spdlog::default_logger());
        spdlog::apply_all(drop);
    }
    log_capture(const log_capture&) = delete;
    log_capture& operator=(const log_capture&) = delete;

    /// Everything logged so far.
    std::string text() const { return sink_->text(); }
    /// How many lines contain `s`.
    std::size_t count(const std::string& s) const { return occurrences(text(), s); }
    /// Waits until `s` has been logged `n` times (the daemon's own word that
    /// something happened); false after `timeout`.
    bool wait_for(const std::string& s, std::size_t n = 1,
                  std::chrono::milliseconds timeout = std::chrono::seconds(10)) const {
        return sink_->wait_for(s, n, timeout);
    }

private:
    std::shared_ptr<memory_sink> sink_;
};

} // namespace opel::test
