#pragma once
// Where a webhook goes: the endpoint taken apart from a subscriber's URL, and
// the TLS client context that checks an https:// peer. No sockets.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace opel::webhook {

/// Where a POST goes, taken apart from an http:// or https:// URL.
struct endpoint {
    std::string host;
    std::string port;
    std::string target; ///< path and query, "/" at least
    bool tls = false;   ///< https://
    std::string credentials; ///< "user:password" from the URL, sent as HTTP Basic; empty: none
    bool operator==(const endpoint&) const = default;
};

/// The `Host` header for `to`: the host (an IPv6 literal in brackets), with
/// the port when it is not the scheme's default.
std::string host_header(const endpoint& to);

/// The endpoint of `url`, or an error message when it is not a usable
/// http:// or https:// URL.
std::variant<endpoint, std::string> parse_endpoint(const std::string& url);

/// The TLS client context for https:// subscribers: peer verification on,
/// trusting the system's CAs, or only those in `ca_file` when given. An
/// error message when `ca_file` cannot be loaded.
std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string>
tls_context(const std::optional<std::filesystem::path>& ca_file);

} // namespace opel::webhook
