#pragma once
// What people do to alerts: acknowledge one (with a note). The change runs as
// a write job on the writer thread, where the rules engine lives, is audited
// in its transaction, and is answered after its commit like a submission.

#include "service/jobs.hpp"
#include "service/token_table.hpp"

#include <cstdint>
#include <string>

namespace opel::service {

/// `who` acknowledges alert `id` with `note` (may be empty); answers the
/// alert as it now stands, or 404 `alert_not_open`.
void acknowledge(services& s, const principal& who, std::int64_t id, std::string note,
                 done on_done);

} // namespace opel::service
