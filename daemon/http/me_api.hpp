#pragma once
// GET /v1/me: who a token speaks for, and how the daemon names things.

#include "http/router.hpp"

namespace opel::http {

/// Registers GET /v1/me.
void add_me_routes(router& r);

} // namespace opel::http
