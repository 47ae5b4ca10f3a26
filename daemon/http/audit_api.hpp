#pragma once
// The audit log over HTTP: GET /v1/audit for admin, and the wrapper that
// records a call's entry in the transaction of the change it makes.

#include "http/router.hpp"
#include "service/audit_trail.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace opel::http {

// Audit entries are the service layer's (service/audit_trail.hpp).
using service::audited;
using service::audited_job;
using service::record;
using service::role_name;

/// Registers GET /v1/audit.
void add_audit_routes(router& r);

} // namespace opel::http
