#pragma once
// The audit log over HTTP: GET /v1/audit for admin, and the wrapper that
// records a call's entry in the transaction of the change it makes.

#include "http/router.hpp"
#include "store/audit.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace opel::http {

/// A write job that also fills in the audit entry's detail.
using audited_job = std::function<service::reply(store::transaction&, boost::json::object&)>;

/// Wraps `job` so that, in the same transaction, it records an audit entry:
/// `who` did `action` on `target`, answered with the reply's status (and, for
/// an error, its code in the detail).
std::function<service::reply(store::transaction&)>
audited(const service::principal& who, std::string action, std::string target, audited_job job);

/// Records an entry for `who` in `tx` (for jobs that do not answer a reply).
void record(store::transaction& tx, const service::principal& who, std::string action,
            std::string target, int status, const boost::json::object& detail);

/// A role's name as the config spells it.
std::string role_name(core::role r);

/// Registers GET /v1/audit.
void add_audit_routes(router& r);

} // namespace opel::http
