#pragma once
// GET /v1/subscribers: the webhook subscribers and how their deliveries stand.

#include "http/router.hpp"

namespace opel::http {

/// Registers GET /v1/subscribers (team, control_room, admin).
void add_subscriber_routes(router& r);

} // namespace opel::http
