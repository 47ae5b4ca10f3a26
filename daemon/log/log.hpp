#pragma once
// One named spdlog logger per module, all writing to the same sink.

#include <spdlog/logger.h>

#include <memory>

namespace opel::log {

/// The logger named `module` ("store", "http", ...), made on first use.
std::shared_ptr<spdlog::logger> get(const char* module);

/// Sets up the sink: stderr; without timestamps when journald captures it
/// (JOURNAL_STREAM is set), since journald adds its own.
void init(spdlog::level::level_enum level);

} // namespace opel::log
