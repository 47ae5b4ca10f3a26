#pragma once
// One named spdlog logger per module, all writing to the same sink.

#include <spdlog/logger.h>

#include <algorithm>
#include <cstddef>
#include <memory>

namespace opel::log {

/// The logger named `module` ("store", "http", ...), made on first use.
std::shared_ptr<spdlog::logger> get(const char* module);

/// A module's name as a template argument: `of<"http">()`.
template <std::size_t N>
struct module_name {
    char text[N];
    constexpr module_name(const char (&s)[N]) { std::copy_n(s, N, text); } // NOLINT: implicit
};

/// The logger of `Module`, looked up once for the whole program: each
/// file names its module's logger in one line instead of keeping a lookup of
/// its own.
template <module_name Module>
const std::shared_ptr<spdlog::logger>& of() {
    static const auto logger = get(Module.text);
    return logger;
}

/// Sets up the sink: stderr; without timestamps when journald captures it
/// (JOURNAL_STREAM is set), since journald adds its own.
void init(spdlog::level::level_enum level);

} // namespace opel::log
