#pragma once
// Loads the daemon's config file, and every file it names, into `config`.

#include "config/config.hpp"
#include "core/diagnostic.hpp"

#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace opel::config {

/// A config that failed to load: every diagnostic, and what() as their
/// `file:line: message` lines joined by '\n'.
class config_error : public std::runtime_error {
public:
    /// Wraps the diagnostics of one failed load.
    explicit config_error(std::vector<core::diagnostic> diagnostics);
    /// Every error found, in the order found.
    const std::vector<core::diagnostic>& diagnostics() const { return diagnostics_; }

private:
    std::vector<core::diagnostic> diagnostics_;
};

/// Loads `file` and every file it names; on any error returns nullopt and
/// fills `errors` with ALL errors found (not just the first).
std::optional<config> load_config(const std::filesystem::path& file,
                                  std::vector<core::diagnostic>& errors);

/// As load_config, but throws config_error on failure.
config load_config_or_throw(const std::filesystem::path& file);

/// SHA-256 of a bearer token (for tests and the README's token table):
/// lower-case hex. The raw digest, as `token::sha256` holds it, is
/// core::sha256(token).
std::string sha256_hex(std::string_view token);

} // namespace opel::config
