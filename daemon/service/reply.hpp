#pragma once
// A transport-neutral answer: HTTP sends it as a response, ZeroMQ as the last
// frame with `status` added to the body.

#include "core/error.hpp"

#include <boost/json/value.hpp>

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opel::service {

/// An answer to one request.
struct reply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
};

/// A JSON answer with `status`.
reply json_reply(int status, const boost::json::value& body);

/// The contract's error body for `e`, with its status.
reply error_reply(const core::error& e);

/// Shorthand for error_reply({status, code, message, field}).
reply error_reply(int status, std::string code, std::string message, std::string field = {});

/// 429 rate_limited with Retry-After: `wait` in whole seconds (at least 1),
/// and whose limit it was in the message ("for this token", "from this address").
reply rate_limited(std::chrono::microseconds wait, std::string_view whose);

} // namespace opel::service
