#pragma once
// Fans committed events out to the Server-Sent Events streams on the io
// thread. The store's writer hands each commit's events over (posted to the
// io thread), in seq order; every stream filters by its topic prefix. Each
// event's SSE frame is made once here and shared by every stream that sends
// it: a stream's queue holds a pointer to it, not a copy, so two hundred
// slow streams cost one copy of each event, not two hundred.

#include "core/event.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

namespace opel::http {

/// The SSE frame of `e`: `id:` its seq, `event:` its topic, `data:` its JSON.
std::string sse_frame(const core::event& e);

/// A committed event as the streams send it.
struct live_event {
    core::event event;
    std::shared_ptr<const std::string> frame; ///< sse_frame(event), shared by every stream
};

/// A receiver of live events (an SSE stream).
class event_listener {
public:
    virtual ~event_listener() = default;
    /// One committed event, in seq order. io thread.
    virtual void on_event(const std::shared_ptr<const live_event>& e) = 0;
    /// The daemon is stopping: finish cleanly.
    virtual void on_shutdown() = 0;
};

/// The set of live listeners. io thread only.
class event_hub {
public:
    /// Adds a listener; returns its key for remove().
    std::uint64_t add(std::weak_ptr<event_listener> l);
    /// Removes a listener.
    void remove(std::uint64_t key) { listeners_.erase(key); }
    /// Delivers `events` to every listener.
    void publish(const std::vector<core::event>& events);
    /// Tells every listener the daemon is stopping.
    void shutdown();
    /// How many listeners are connected.
    std::size_t size() const { return listeners_.size(); }

private:
    std::uint64_t next_key_ = 0;
    std::unordered_map<std::uint64_t, std::weak_ptr<event_listener>> listeners_;
};

} // namespace opel::http
