// `opelctl backup FILE`: a consistent copy of the daemon's database, taken
// with SQLite's online backup API while opeld runs and keeps taking writes.
// It reads the database file directly (so it runs on the daemon's host, as a
// user who may read the state directory) rather than over the HTTP API: the
// whole store never crosses the network, and a leaked admin token cannot be
// used to download it. docs/operations.md says why and how to schedule it.
#include "commands.hpp"
#include "ctl_error.hpp"

#include "config/config_loader.hpp"
#include "store/backup.hpp"

#include <iostream>

namespace opel::ctl {

void add_backup_command(CLI::App& app, int& exit_code) {
    auto* cmd = app.add_subcommand(
        "backup", "Copy the daemon's database to FILE, consistently, while it runs "
                  "(run on the daemon's host)");
    auto dest = std::make_shared<std::string>();
    auto database = std::make_shared<std::string>();
    auto daemon_config = std::make_shared<std::string>("/etc/opeld/opeld.yaml");
    cmd->add_option("FILE", *dest, "where to write the backup (replaced only when whole)")
        ->required();
    cmd->add_option("--database", *database,
                    "the database file (default: the one the daemon's config names)");
    cmd->add_option("--daemon-config", *daemon_config,
                    "the daemon's config, to find its database (default: "
                    "/etc/opeld/opeld.yaml)");
    cmd->callback([&exit_code, dest, database, daemon_config] {
        exit_code = guarded([&] {
            std::filesystem::path source = *database;
            if (source.empty()) {
                std::vector<core::diagnostic> errors;
                auto cfg = config::load_config(*daemon_config, errors);
                if (!cfg) {
                    std::string msg = "cannot read the daemon's config to find its database "
                                      "(name it with --database):";
                    for (const auto& e : errors)
                        msg += "\n  " + e.to_string();
                    throw usage_error(msg);
                }
                source = cfg->database;
            }
            if (!std::filesystem::exists(source))
                throw usage_error("no database at " + source.string());
            const auto r = store::backup_database(source, *dest);
            std::cout << "backed up " << source.string() << " to " << *dest << ": "
                      << r.submissions << " submissions, events to seq " << r.last_seq << ", "
                      << r.bytes << " bytes; integrity_check ok\n";
            return static_cast<int>(exit_ok);
        });
    });
}

} // namespace opel::ctl
