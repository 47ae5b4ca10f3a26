#pragma once
// What people do to alerts: acknowledge one (with a note), silence some for
// a while, end a silence. Each change runs as
// a write job on the writer thread, where the rules engine lives, is audited
// in its transaction, and is answered after its commit like a submission.

#include "rules/alert.hpp"
#include "service/jobs.hpp"
#include "service/token_table.hpp"

#include <cstdint>
#include <string>

namespace opel::service {

/// `who` acknowledges alert `id` with `note` (may be empty); answers the
/// alert as it now stands, or 404 `alert_not_open`.
void acknowledge(services& s, const principal& who, std::int64_t id, std::string note,
                 done on_done);

/// `who` adds silence `s` (its id is given here); 422 when it names a rule,
/// scope or subject the deployment does not have; answers it as stored (201).
void add_silence(services& s, const principal& who, rules::silence silence, done on_done);

/// `who` ends silence `id` now; 404 when no such silence is in force or to come.
void end_silence(services& s, const principal& who, std::int64_t id, done on_done);

} // namespace opel::service
