#pragma once
// The start-up check of secret files' permissions: a secret that other users
// can read (or that the group can rewrite) is a warning naming the file.

#include "config/config.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace opel::app {

/// One file that holds a secret, and what it holds (for the message).
struct secret_file {
    std::filesystem::path path;
    std::string what; ///< "webhook secret of subscriber X", "TLS key", ...
};

/// Every file of `cfg` that holds a secret: each subscriber's secret_file,
/// the CURVE secret key, the TLS key, and the config file itself when a
/// subscriber's secret is written in it.
std::vector<secret_file> secret_files(const config::config& cfg);

/// A warning for each of `files` that is readable by others, writable by
/// others or writable by its group; each names the file and its mode, never
/// what it holds.
std::vector<std::string> permission_warnings(const std::vector<secret_file>& files);

} // namespace opel::app
