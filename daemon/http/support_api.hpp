#pragma once
// The support and escalation routes.

#include "http/router.hpp"

namespace opel::service {
class support_desk;
class summaries;
} // namespace opel::service

namespace opel::http {

/// Registers POST /v1/practices/{code}/support, PATCH /v1/support/{id} and
/// GET /v1/support and GET /v1/support-actions.
void add_support_routes(router& r, service::support_desk& desk);

/// Registers POST and GET /v1/escalations; `summaries` gives the local month.
void add_escalation_routes(router& r, service::support_desk& desk,
                           const service::summaries& summaries);

} // namespace opel::http
