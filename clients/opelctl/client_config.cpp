// Resolves opelctl's server, token and default practice from the flags, the
// environment and the config file, in that order of precedence. The file is
// optional; when present it is validated like the daemon's (unknown keys are
// errors, with file:line), so a typo is not silently ignored.
#include "client_config.hpp"

#include "ctl_error.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>

namespace opel::ctl {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

std::string where(const std::filesystem::path& file, const YAML::Node& n) {
    return file.string() + ":" + std::to_string(n.Mark().line + 1) + ": ";
}

/// The file's keys, validated; an absent file reads as empty.
connection read_file(const std::filesystem::path& file, bool must_exist) {
    connection c;
    c.url.clear();
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
        if (must_exist)
            throw usage_error(file.string() + ": no such config file");
        return c;
    }
    YAML::Node root;
    try {
        root = YAML::LoadFile(file.string());
    } catch (const YAML::Exception& e) {
        throw usage_error(file.string() + ":" + std::to_string(e.mark.line + 1) + ": " + e.msg);
    }
    if (root.IsNull())
        return c;
    if (!root.IsMap())
        throw usage_error(where(file, root) + "the config must be a map of url, token, practice");
    for (const auto& kv : root) {
        const auto key = kv.first.as<std::string>();
        if (!kv.second.IsScalar())
            throw usage_error(where(file, kv.second) + key + " must be a string");
        if (key == "url")
            c.url = kv.second.as<std::string>();
        else if (key == "token")
            c.token = kv.second.as<std::string>();
        else if (key == "practice")
            c.practice = kv.second.as<std::string>();
        else
            throw usage_error(where(file, kv.first) + "unknown key " + key +
                              " (known: url, token, practice)");
    }
    return c;
}

/// The first non-empty of the candidates.
std::string first_of(std::initializer_list<std::string> values) {
    for (const auto& v : values)
        if (!v.empty())
            return v;
    return {};
}

} // namespace

std::filesystem::path default_config_path() {
    const auto xdg = env("XDG_CONFIG_HOME");
    if (!xdg.empty())
        return std::filesystem::path(xdg) / "opelctl" / "config.yaml";
    return std::filesystem::path(env("HOME")) / ".config" / "opelctl" / "config.yaml";
}

connection resolve_connection(const global_options& g) {
    const bool named = !g.config_file.empty();
    const auto file = read_file(named ? std::filesystem::path(g.config_file) : default_config_path(), named);
    connection c;
    c.url = first_of({g.url, env("OPEL_URL"), file.url, c.url});
    c.token = first_of({g.token, env("OPEL_TOKEN"), file.token});
    c.practice = first_of({env("OPEL_PRACTICE"), file.practice});
    if (!(g.timeout > 0) || !std::isfinite(g.timeout))
        throw usage_error("--timeout must be a positive number of seconds");
    c.timeout = std::chrono::milliseconds(static_cast<long long>(g.timeout * 1000));
    return c;
}

} // namespace opel::ctl
