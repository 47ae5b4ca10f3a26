#pragma once
// The history routes: the system's and a practice's levels day by day.

#include "http/router.hpp"

namespace opel::http {

/// Registers GET /v1/status/history and GET /v1/practices/{code}/history.
void add_history_routes(router& r);

} // namespace opel::http
