#pragma once
// Loads a rules file (YAML) into a validated rule_set.

#include "core/diagnostic.hpp"
#include "rules/rule_set.hpp"

#include <filesystem>
#include <memory>
#include <vector>

namespace opel::rules {

/// Loads `file`; appends every error found to `errors` and returns null if
/// there was any.
std::shared_ptr<const rule_set> load_rule_set(const std::filesystem::path& file,
                                              std::vector<core::diagnostic>& errors);

} // namespace opel::rules
