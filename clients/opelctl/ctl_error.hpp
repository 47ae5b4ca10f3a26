#pragma once
// opelctl's exit codes and the exceptions that carry a failure to main's
// mapping: every command either returns an exit code or throws one of these.

#include <functional>
#include <stdexcept>
#include <string>

namespace opel::ctl {

/// The exit codes the contract promises scripts.
enum exit_status : int {
    exit_ok = 0,          ///< success
    exit_refused = 1,     ///< the server answered 4xx/5xx (its message printed)
    exit_usage = 2,       ///< bad arguments, options or local input
    exit_unreachable = 3, ///< cannot connect: refused, timed out, DNS
};

/// Bad arguments or local input found after CLI11 has parsed: exit 2.
struct usage_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The server could not be reached or did not answer in time: exit 3.
struct connect_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

/// The server refused the request; what() is its message: exit 1.
struct refused_error : std::runtime_error {
    /// `status` is the HTTP status (or the ZeroMQ reply's `status`).
    refused_error(int status, const std::string& message)
        : std::runtime_error(message), status(status) {}
    int status;
};

/// Runs a command body, printing any failure to stderr and turning it into
/// its exit code, so that every command reports errors the same way.
int guarded(const std::function<int()>& body);

} // namespace opel::ctl
