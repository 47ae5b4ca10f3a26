#pragma once
// Importing history (POST /v1/import): NDJSON, one submission with
// `reported_at` per line. Each line is parsed and checked exactly as a live
// report is (parse_submission for ingest_kind::import, check_references); a
// bad line is reported by its number and the rest carry on. The good lines go
// to the store in one write job, so a request lands whole or not at all, and
// the store's unique index keeps a line identical to one already imported
// from being stored twice, so re-sending a batch is safe. History is not
// news: it raises no alerts and publishes no events, but the rules engine
// (restore_submission) and /v1/status (practice_state) take it in, so later
// live reports are judged with it.

#include "service/jobs.hpp"
#include "service/token_table.hpp"

#include <string_view>

namespace opel::service {

/// Imports the NDJSON `body` for `who` (an admin); answers `{imported,
/// duplicates, rejected: [{line, error, code, field?}]}` or 503 when nothing
/// could be stored.
void import_history(services& s, const principal& who, std::string_view body, done on_done);

} // namespace opel::service
