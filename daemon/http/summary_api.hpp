#pragma once
// The summary, report and import routes.

#include "http/router.hpp"
#include "service/summaries.hpp"

namespace opel::http {

/// Registers GET/POST /v1/summaries/daily and GET /v1/reports/monthly.
void add_summary_routes(router& r, service::summaries& summaries);

/// Registers POST /v1/import.
void add_import_routes(router& r);

} // namespace opel::http
