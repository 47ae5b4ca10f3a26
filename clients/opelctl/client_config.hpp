#pragma once
// Where opelctl finds its server and token: a flag, else the environment
// (OPEL_URL, OPEL_TOKEN), else the config file, else the default URL.

#include <chrono>
#include <filesystem>
#include <string>

namespace opel::ctl {

/// The options every network command shares, as given on the command line.
struct global_options {
    std::string url;         ///< --url; empty: not given
    std::string token;       ///< --token; empty: not given
    std::string config_file; ///< --config; empty: the XDG default
    double timeout = 10;     ///< --timeout, seconds, for connecting and each answer
};

/// What a command connects with, every source resolved.
struct connection {
    std::string url = "http://127.0.0.1:8080";
    std::string token;
    std::string practice; ///< a default for `submit --practice`
    std::chrono::milliseconds timeout{10000};
};

/// $XDG_CONFIG_HOME/opelctl/config.yaml, or ~/.config/opelctl/config.yaml.
std::filesystem::path default_config_path();

/// Resolves flag > environment > config file > default; throws usage_error
/// for a config file that cannot be read or has an unknown key.
connection resolve_connection(const global_options& g);

} // namespace opel::ctl
