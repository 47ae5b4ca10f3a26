#pragma once
// `GET /v1/me`: who a token speaks for and how the daemon names things, for
// the pages it serves. Runs on the store's reader thread.

#include "service/deployment.hpp"
#include "service/token_table.hpp"
#include "store/sqlite.hpp"

#include <boost/json.hpp>

namespace opel::service {

/// `{name, role, practice, timezone, summary_at, themes: [{id, name}], alerts}`:
/// `practice` is the practice token's practice (null for other roles) and
/// `alerts` that practice's open alerts that speak for it (not inhibited),
/// so its page can say who has seen them; empty for other roles.
boost::json::object me(store::sqlite::db& db, const deployment& d, const principal& who);

} // namespace opel::service
