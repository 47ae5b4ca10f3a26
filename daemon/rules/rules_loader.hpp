#pragma once
// Loads a rules file (YAML) into a validated rule_set; the language is
// documented in rules/README.md.

#include "core/diagnostic.hpp"
#include "rules/rule_set.hpp"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace opel::rules {

/// Loads `file`; appends every error found to `errors` and returns null if
/// there was any.
std::shared_ptr<const rule_set> load_rule_set(const std::filesystem::path& file,
                                              std::vector<core::diagnostic>& errors);

/// Parses a duration such as `45s`, `30m`, `24h` or `7d`; nullopt if it is not one.
std::optional<std::chrono::seconds> parse_duration(const std::string& text);

/// The placeholders a rule's title and message may use for a condition kind
/// (the index of `condition`).
const std::vector<std::string>& placeholders_for(const condition& c);

} // namespace opel::rules
