#pragma once
// The alert and silence routes.

#include "http/router.hpp"

namespace opel::http {

/// Registers GET /v1/alerts and POST /v1/alerts/{id}/ack, and the silences.
void add_alert_routes(router& r);

/// Registers POST/GET /v1/silences and DELETE /v1/silences/{id}.
void add_silence_routes(router& r);

} // namespace opel::http
