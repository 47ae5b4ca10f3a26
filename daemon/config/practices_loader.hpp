#pragma once
// Loads the practices file: every practice's ODS code, name, PCN and place.

#include "core/diagnostic.hpp"
#include "core/types.hpp"

#include <filesystem>
#include <optional>
#include <vector>

namespace opel::config {

/// Loads `file`; on any error appends every error found to `errors` and
/// returns nullopt. Practices come back in file order.
std::optional<std::vector<core::practice>> load_practices(const std::filesystem::path& file,
                                                          std::vector<core::diagnostic>& errors);

} // namespace opel::config
