#pragma once
// Typed reading of YAML values with `file:line: key: message` errors, shared
// by every section parser of the config and the practices file.

#include "core/diagnostic.hpp"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include <yaml-cpp/yaml.h>

namespace opel::config {

/// A value found under a key (or in a list), with the line to blame and the
/// dotted key path (`http.listen`) that messages name.
struct entry {
    YAML::Node value; ///< the value itself
    int line = 0;     ///< 1-based: the key's line (a list item's own line)
    std::string path; ///< dotted key path; empty at the top level
};

/// Reads values out of one file, appending each problem to a shared error
/// list; no error stops the reading, so one pass reports them all.
class yaml_reader {
public:
    /// Reads from `file`; errors go to `errors`.
    yaml_reader(std::filesystem::path file, std::vector<core::diagnostic>& errors);

    /// The file being read, as it was named.
    const std::filesystem::path& file() const { return file_; }
    /// How many errors the shared list holds now.
    std::size_t error_count() const { return errors_.size(); }
    /// The 1-based line of `node`, or `fallback` when it has no position.
    static int line_of(const YAML::Node& node, int fallback);

    /// Reports `message` at `line` of this file.
    void error(int line, std::string message);
    /// Reports `path: message` at the entry's line.
    void error(const entry& e, const std::string& message);

    /// The entry's scalar as T (std::string, an integer or a floating-point
    /// type); a wrong type is reported at the entry's line.
    template <class T> std::optional<T> scalar(const entry& e);
    /// A non-empty string.
    std::optional<std::string> text(const entry& e);
    /// An integer in [min, max].
    std::optional<std::int64_t> integer(const entry& e, std::int64_t min, std::int64_t max);
    /// A finite, non-negative number.
    std::optional<double> number(const entry& e);
    /// The items of a list (null: none), each with its own line.
    std::optional<std::vector<entry>> list(const entry& e);
    /// A list of non-empty strings.
    std::optional<std::vector<std::string>> text_list(const entry& e);
    /// A path, resolved against the directory of this file when relative.
    std::optional<std::filesystem::path> path(const entry& e);
    /// A path as `path()` that must name a readable regular file.
    std::optional<std::filesystem::path> existing_file(const entry& e);

    /// Reports that `e` is not a mapping unless it is one (or null); the
    /// first step of read_fields.
    bool expect_map(const entry& e);
    /// The child entry for one key/value pair of mapping `parent`.
    static entry child(const entry& parent, const YAML::Node& key, const YAML::Node& value);
    /// The entry under `key` of mapping `map`; when absent, one at the
    /// mapping's line, so a check across keys can still name the key.
    static entry field(const entry& map, std::string_view key);
    /// Reports each of `required` missing from `seen`, at the mapping's line.
    void require(const entry& e, const std::set<std::string, std::less<>>& seen,
                 std::initializer_list<std::string_view> required);
    /// Reports an unknown key, listing the known ones.
    void unknown_key(const entry& key, const std::vector<std::string_view>& known);

private:
    void wrong_type(const entry& e, std::string_view expected);

    std::filesystem::path file_;
    std::vector<core::diagnostic>& errors_;
};

/// Parses one key's value into the T being built.
template <class T> using field_parser = void (*)(yaml_reader&, const entry&, T&);

/// A section's keys and their parsers: the section's whole grammar.
template <class T> using field_table = std::map<std::string_view, field_parser<T>, std::less<>>;

/// Reads mapping `e` through `table` into `out`: reports a value that is not a
/// mapping, unknown and repeated keys, and each `required` key missing. A null
/// value counts as an empty mapping. Returns false if `e` was not a mapping.
template <class T>
bool read_fields(yaml_reader& r, const entry& e, const field_table<T>& table, T& out,
                 std::initializer_list<std::string_view> required = {}) {
    if (!r.expect_map(e)) return false;
    std::set<std::string, std::less<>> seen;
    if (e.value.IsMap()) {
        for (const auto& kv : e.value) {
            const entry field = yaml_reader::child(e, kv.first, kv.second);
            const auto key = kv.first.Scalar();
            if (!seen.insert(key).second) {
                r.error(field, "repeated key");
            } else if (const auto it = table.find(key); it != table.end()) {
                it->second(r, field, out);
            } else {
                std::vector<std::string_view> known;
                for (const auto& [name, parser] : table)
                    known.push_back(name);
                r.unknown_key(field, known);
            }
        }
    }
    r.require(e, seen, required);
    return true;
}

template <class T> std::optional<T> yaml_reader::scalar(const entry& e) {
    static_assert(std::is_same_v<T, std::string> || std::is_arithmetic_v<T>);
    T out{};
    if (e.value.IsScalar() && YAML::convert<T>::decode(e.value, out)) return out;
    if constexpr (std::is_same_v<T, std::string>)
        wrong_type(e, "a string");
    else if constexpr (std::is_integral_v<T>)
        wrong_type(e, "an integer");
    else
        wrong_type(e, "a number");
    return std::nullopt;
}

} // namespace opel::config
