#pragma once
// The event-log routes.

#include "http/router.hpp"

namespace opel::http {

/// Registers GET /v1/events (and /v1/stream's path, served by sse_stream).
void add_event_routes(router& r);

} // namespace opel::http
