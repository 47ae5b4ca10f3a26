#pragma once
// A silence names what it silences by rule, scope and subject. One that names
// a rule or subject the deployment does not have would match nothing and so
// silence nothing, without a word: it is refused instead, whoever sends it.

#include "rules/alert.hpp"
#include "service/deployment.hpp"
#include "service/reply.hpp"

#include <optional>

namespace opel::service {

/// A 422 naming what is unknown in `s` (its scope, its rule, or its subject
/// for its scope), or nullopt when every name it gives is known to `d`.
std::optional<reply> check_silence_names(const rules::silence& s, const deployment& d);

} // namespace opel::service
