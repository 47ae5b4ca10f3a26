#pragma once
// The typed error every ingest path returns; HTTP and ZeroMQ both turn it into
// a status and the contract's {"error": {code, message, field}} body.

#include <string>

namespace opel::core {

/// A refused request: an HTTP status, a snake_case code, a sentence a person
/// can act on, and the top-level field at fault (empty when not one field).
struct error {
    int status = 400;
    std::string code;
    std::string message;
    std::string field;
};

} // namespace opel::core
