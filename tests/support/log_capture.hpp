#pragma once
// Captures what the daemon logs, for tests that check what is (and is not)
// written. Make it before the daemon starts and let it outlive the daemon:
// spdlog's sink lists are not safe to change while other threads log.

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>

namespace opel::test {

/// A sink that keeps every formatted line in memory.
class memory_sink : public spdlog::sinks::base_sink<std::mutex> {
public:
    std::string text() {
        std::lock_guard lock(mutex_);
        return text_;
    }

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        spdlog::memory_buf_t buf;
        formatter_->format(msg, buf);
        text_.append(buf.data(), buf.size());
    }
    void flush_() override {}

private:
    std::string text_;
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
    std::size_t count(const std::string& s) const {
        const auto all = text();
        std::size_t n = 0;
        for (auto pos = all.find(s); pos != std::string::npos; pos = all.find(s, pos + 1))
            ++n;
        return n;
    }

private:
    std::shared_ptr<memory_sink> sink_;
};

} // namespace opel::test
