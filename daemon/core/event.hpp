#pragma once
// An Event of the ordered log: {seq, topic, time, data}. Every channel (PUB,
// SSE, /v1/events, webhooks) carries the same bytes.

#include "core/types.hpp"

#include <cstdint>
#include <string>

namespace opel::core {

/// One published event; `data` is already-serialised JSON.
struct event {
    std::int64_t seq = 0;
    std::string topic;
    time_point time{};
    std::string data;
};

/// The Event JSON `{"seq":..,"topic":..,"time":..,"data":..}`, built without
/// re-parsing `data`.
std::string event_json(const event& e);

/// True when `topic` starts with `prefix` (the empty prefix matches all).
inline bool topic_matches(std::string_view topic, std::string_view prefix) {
    return topic.substr(0, prefix.size()) == prefix;
}

} // namespace opel::core
