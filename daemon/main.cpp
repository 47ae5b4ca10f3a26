// opeld: parse the command line, load the config, build the app, run it.
// Everything else lives in the opel library.
#include "app/app.hpp"
#include "config/config_loader.hpp"
#include "log/log.hpp"

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <filesystem>
#include <iostream>

namespace {

int check_config(const std::string& file) {
    std::vector<opel::core::diagnostic> errors;
    if (opel::config::load_config(file, errors)) {
        std::cout << file << ": ok\n";
        return 0;
    }
    for (const auto& e : errors)
        std::cerr << e.to_string() << '\n';
    return 1;
}

int run_daemon(const std::string& file, const std::string& level) {
    opel::log::init(spdlog::level::from_str(level));
    std::vector<opel::core::diagnostic> errors;
    auto cfg = opel::config::load_config(file, errors);
    if (!cfg) {
        for (const auto& e : errors)
            std::cerr << e.to_string() << '\n';
        return 1;
    }
    try {
        opel::app::app daemon(std::move(*cfg));
        return daemon.run();
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
        return 1;
    }
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"opeld: OPEL escalation and alerting daemon for general practice"};
    std::string config_file;
    std::string check_file;
    std::string level = "info";
    cli.add_option("--config,-c", config_file, "Run the daemon on this config file");
    cli.add_option("--check-config", check_file,
                   "Validate this config and every file it names, then exit");
    cli.add_option("--log-level", level, "trace, debug, info, warn, error")
        ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"}));
    cli.set_version_flag("--version,-V", std::string("opeld ") + OPEL_VERSION);
    try {
        cli.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return cli.exit(e) == 0 ? 0 : 2;
    }
    if (!check_file.empty())
        return check_config(check_file);
    if (config_file.empty()) {
        std::cerr << "opeld: --config FILE is required (see --help)\n";
        return 2;
    }
    // Absolute, so that a reload after a change of directory finds the same files.
    return run_daemon(std::filesystem::absolute(config_file).string(), level);
}
