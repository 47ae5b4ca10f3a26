// yaml_reader: the one place that turns YAML nodes into typed values and a
// wrong type into a `file:line: key: message` diagnostic. Section parsers
// only say which keys exist and what each means; the reporting lives here so
// every message has the same shape.
#include "config/yaml_reader.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <system_error>
#include <utility>

namespace opel::config {

namespace {

/// How a value that is not the expected scalar looks, for the message.
std::string describe(const YAML::Node& node) {
    if (node.IsNull()) return "nothing";
    if (node.IsSequence()) return "a list";
    if (node.IsMap()) return "a mapping";
    return "'" + node.Scalar() + "'";
}

/// Why `file` cannot serve as an input file, or nullopt when it can.
std::optional<std::string> file_problem(const std::filesystem::path& file) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (!std::filesystem::exists(status)) return "no such file";
    if (!std::filesystem::is_regular_file(status)) return "not a regular file";
    std::ifstream in(file);
    if (!in) return std::strerror(errno);
    return std::nullopt;
}

} // namespace

yaml_reader::yaml_reader(std::filesystem::path file, std::vector<core::diagnostic>& errors)
    : file_(std::move(file)), errors_(errors) {}

int yaml_reader::line_of(const YAML::Node& node, int fallback) {
    const auto mark = node.Mark();
    return mark.is_null() || mark.line < 0 ? fallback : mark.line + 1;
}

void yaml_reader::error(int line, std::string message) {
    errors_.push_back({file_.string(), line, std::move(message)});
}

void yaml_reader::error(const entry& e, const std::string& message) {
    error(e.line, e.path.empty() ? message : e.path + ": " + message);
}

void yaml_reader::wrong_type(const entry& e, std::string_view expected) {
    error(e, "expected " + std::string(expected) + ", got " + describe(e.value));
}

std::optional<std::string> yaml_reader::text(const entry& e) {
    auto s = scalar<std::string>(e);
    if (s && s->empty()) {
        error(e, "must not be empty");
        return std::nullopt;
    }
    return s;
}

std::optional<std::int64_t> yaml_reader::integer(const entry& e, std::int64_t min,
                                                 std::int64_t max) {
    const auto n = scalar<std::int64_t>(e);
    if (!n) return std::nullopt;
    if (*n < min && min == 0) {
        error(e, "must not be negative, got " + std::to_string(*n));
    } else if (*n < min || *n > max) {
        error(e, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     ", got " + std::to_string(*n));
    } else {
        return n;
    }
    return std::nullopt;
}

std::optional<double> yaml_reader::number(const entry& e) {
    const auto n = scalar<double>(e);
    if (!n) return std::nullopt;
    if (!std::isfinite(*n))
        error(e, "must be a finite number, got " + e.value.Scalar());
    else if (*n < 0)
        error(e, "must not be negative, got " + e.value.Scalar());
    else
        return n;
    return std::nullopt;
}

std::optional<std::vector<entry>> yaml_reader::list(const entry& e) {
    std::vector<entry> items;
    if (e.value.IsNull()) return items;
    if (!e.value.IsSequence()) {
        wrong_type(e, "a list");
        return std::nullopt;
    }
    for (const auto& item : e.value)
        items.push_back({item, line_of(item, e.line), e.path});
    return items;
}

std::optional<std::vector<std::string>> yaml_reader::text_list(const entry& e) {
    const auto items = list(e);
    if (!items) return std::nullopt;
    std::vector<std::string> out;
    bool ok = true;
    for (const auto& item : *items) {
        if (auto s = text(item))
            out.push_back(std::move(*s));
        else
            ok = false;
    }
    return ok ? std::optional(std::move(out)) : std::nullopt;
}

std::optional<std::filesystem::path> yaml_reader::path(const entry& e) {
    const auto s = text(e);
    if (!s) return std::nullopt;
    const std::filesystem::path p(*s);
    return p.is_absolute() ? p : (file_.parent_path() / p).lexically_normal();
}

std::optional<std::filesystem::path> yaml_reader::existing_file(const entry& e) {
    auto p = path(e);
    if (!p) return std::nullopt;
    if (const auto problem = file_problem(*p)) {
        error(e, "cannot read '" + p->string() + "': " + *problem);
        return std::nullopt;
    }
    return p;
}

bool yaml_reader::expect_map(const entry& e) {
    if (e.value.IsNull() || e.value.IsMap()) return true;
    wrong_type(e, "a mapping");
    return false;
}

entry yaml_reader::child(const entry& parent, const YAML::Node& key, const YAML::Node& value) {
    const auto name = key.IsScalar() ? key.Scalar() : std::string("?");
    return {value, line_of(key, parent.line),
            parent.path.empty() ? name : parent.path + "." + name};
}

entry yaml_reader::field(const entry& map, std::string_view key) {
    if (map.value.IsMap()) {
        for (const auto& kv : map.value) {
            if (kv.first.IsScalar() && kv.first.Scalar() == key)
                return child(map, kv.first, kv.second);
        }
    }
    const std::string name(key);
    return {YAML::Node(), map.line, map.path.empty() ? name : map.path + "." + name};
}

void yaml_reader::require(const entry& e, const std::set<std::string, std::less<>>& seen,
                          std::initializer_list<std::string_view> required) {
    for (const auto key : required) {
        if (seen.find(key) == seen.end()) {
            const auto path = e.path.empty() ? std::string(key) : e.path + "." + std::string(key);
            error(e.line, path + ": missing (required)");
        }
    }
}

void yaml_reader::unknown_key(const entry& key, const std::vector<std::string_view>& known) {
    std::string list;
    for (const auto name : known)
        list += (list.empty() ? "" : ", ") + std::string(name);
    error(key, "unknown key (known keys: " + list + ")");
}

} // namespace opel::config
