#pragma once
// The history behind a level, as the API answers it: the system and places
// day by day (`GET /v1/status/history`) and one practice's reports day by day
// (`GET /v1/practices/{code}/history`). Runs on the store's reader thread.

#include "service/deployment.hpp"
#include "store/sqlite.hpp"

#include <boost/json.hpp>

#include <string>

namespace opel::service {

/// The longest history either call gives, in days.
constexpr int max_history_days = 400;

/// `{days: [{date, as_of, system, places}]}`: the picture at `summary.at` of
/// each of the last `days` days up to `now`, from the stored reports.
boost::json::object status_history(store::sqlite::db& db, const deployment& d,
                                   core::time_point now, int days);

/// `{practice, days: [{date, level, themes, note, reported_at}]}`: the latest
/// report of `code` on each day it reported among the last `days` days.
boost::json::object practice_history(store::sqlite::db& db, const deployment& d,
                                     const std::string& code, core::time_point now, int days);

} // namespace opel::service
