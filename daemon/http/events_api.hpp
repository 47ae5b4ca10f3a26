#pragma once
// The event-log routes: the replay (GET /v1/events) and the live stream
// (GET /v1/stream, Server-Sent Events).

#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "http/sse_stream.hpp"

namespace opel::http {

/// Registers GET /v1/events and the stream GET /v1/stream, whose clients
/// follow `hub` within `limits`.
void add_event_routes(router& r, event_hub& hub, sse_limits limits);

} // namespace opel::http
