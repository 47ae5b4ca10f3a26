// Logger set-up. Modules call get() with their name; the first call registers
// a clone of the default logger, so every module shares the sink and level.
#include "log/log.hpp"

#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <mutex>

namespace opel::log {

std::shared_ptr<spdlog::logger> get(const char* module) {
    static std::mutex mu;
    std::lock_guard lock(mu);
    if (auto l = spdlog::get(module))
        return l;
    auto l = spdlog::default_logger()->clone(module);
    spdlog::register_logger(l);
    return l;
}

void init(spdlog::level::level_enum level) {
    auto logger = spdlog::stderr_color_mt("opeld");
    spdlog::set_default_logger(logger);
    spdlog::set_level(level);
    if (std::getenv("JOURNAL_STREAM"))
        spdlog::set_pattern("<%l> %n: %v");
    else
        spdlog::set_pattern("%Y-%m-%d %H:%M:%S.%e %l %n: %v");
}

} // namespace opel::log
