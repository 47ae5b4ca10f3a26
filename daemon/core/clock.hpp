#pragma once
// The injected clock: everything that asks "what time is it" asks one of these,
// so tests can run days of schedule in microseconds.

#include "core/types.hpp"

#include <atomic>

namespace opel::core {

/// Source of the current time.
class clock {
public:
    virtual ~clock() = default;
    /// The current time, UTC.
    virtual time_point now() const = 0;
};

/// The real wall clock.
class system_clock final : public clock {
public:
    time_point now() const override {
        return std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
    }
};

/// A clock that moves only when told to; safe to read from any thread.
class manual_clock final : public clock {
public:
    explicit manual_clock(time_point start) : now_(start.time_since_epoch().count()) {}
    time_point now() const override {
        return time_point{std::chrono::microseconds{now_.load()}};
    }
    /// Jump to `t`.
    void set(time_point t) { now_.store(t.time_since_epoch().count()); }
    /// Move forward by `d`.
    void advance(std::chrono::microseconds d) { now_.fetch_add(d.count()); }

private:
    std::atomic<std::int64_t> now_;
};

} // namespace opel::core
