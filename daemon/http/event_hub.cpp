// Live fan-out. Each event is shared, not copied, between the streams.
#include "http/event_hub.hpp"

namespace opel::http {

std::uint64_t event_hub::add(std::weak_ptr<event_listener> l) {
    listeners_.emplace(next_key_, std::move(l));
    return next_key_++;
}

std::string sse_frame(const core::event& e) {
    return "id: " + std::to_string(e.seq) + "\nevent: " + e.topic + "\ndata: " +
           core::event_json(e) + "\n\n";
}

void event_hub::publish(const std::vector<core::event>& events) {
    // Listeners may remove themselves while being told; work on a snapshot.
    std::vector<std::shared_ptr<event_listener>> live;
    live.reserve(listeners_.size());
    for (auto& [key, weak] : listeners_)
        if (auto l = weak.lock())
            live.push_back(std::move(l));
    if (live.empty())
        return;
    for (const auto& e : events) {
        auto frame = std::make_shared<const std::string>(sse_frame(e));
        const auto shared = std::make_shared<const live_event>(live_event{e, std::move(frame)});
        for (const auto& l : live)
            l->on_event(shared);
    }
}

void event_hub::shutdown() {
    std::vector<std::shared_ptr<event_listener>> live;
    for (auto& [key, weak] : listeners_)
        if (auto l = weak.lock())
            live.push_back(std::move(l));
    for (const auto& l : live)
        l->on_shutdown();
}

} // namespace opel::http
