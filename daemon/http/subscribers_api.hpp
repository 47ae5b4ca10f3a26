#pragma once
// GET /v1/subscribers: the subscribers and how their deliveries stand; POST
// /v1/subscribers/{name}/test: a test message.

#include "http/router.hpp"
#include "webhook/sender.hpp"

namespace opel::http {

/// Registers GET /v1/subscribers (team, control_room, admin) and POST
/// /v1/subscribers/{name}/test (admin), which sends through `sender`.
void add_subscriber_routes(router& r, webhook::sender& sender);

} // namespace opel::http
