#pragma once
// TLS for the HTTP listener: a server context from a PEM certificate chain and
// its private key. Reloaded on SIGHUP; a context that cannot be built leaves
// the one in force alone.

#include <boost/asio/ssl/context.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <variant>

namespace opel::http {

/// A server context for `cert` (PEM chain) and `key` (PEM), TLS 1.2 or
/// later; or why it could not be made (naming the file, never its contents).
std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string>
make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key);

} // namespace opel::http
