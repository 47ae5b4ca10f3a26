#pragma once
// Who changed what: every use case that changes something records its audit
// entry in the transaction of the change, so an entry is there exactly when
// the change is.

#include "service/reply.hpp"
#include "service/token_table.hpp"
#include "store/audit.hpp"

#include <boost/json/object.hpp>

#include <functional>
#include <string>

namespace opel::service {

/// A write job that also fills in the audit entry's detail.
using audited_job = std::function<reply(store::transaction&, boost::json::object&)>;

/// Wraps `job` so that, in the same transaction, it records an audit entry:
/// `who` did `action` on `target`, answered with the reply's status (and, for
/// an error, its code in the detail).
std::function<reply(store::transaction&)>
audited(const principal& who, std::string action, std::string target, audited_job job);

/// Records an entry for `who` in `tx` (for jobs that do not answer a reply).
void record(store::transaction& tx, const principal& who, std::string action,
            std::string target, int status, const boost::json::object& detail);

/// A role's name as the config spells it.
std::string role_name(core::role r);

} // namespace opel::service
