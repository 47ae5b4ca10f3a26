// opelctl: the command-line client. main parses the arguments and runs the
// chosen subcommand; each subcommand lives in its own file (commands.hpp).
// The exit codes are part of the contract: 0 success, 1 refused by the
// server, 2 usage error, 3 cannot connect (ctl_error.hpp).
#include "commands.hpp"
#include "ctl_error.hpp"

#include <iostream>

namespace {

/// The options every network command shares; accepted before or after the
/// subcommand's name, since subcommands fall through to them.
void add_global_options(CLI::App& app, opel::ctl::global_options& g) {
    app.add_option("--url", g.url,
                   "the server, e.g. http://127.0.0.1:8080 (default: $OPEL_URL, the config "
                   "file's url, then http://127.0.0.1:8080)");
    app.add_option("--token", g.token,
                   "the bearer token (default: $OPEL_TOKEN, then the config file's token)");
    app.add_option("--config", g.config_file,
                   "the client config file (default: $XDG_CONFIG_HOME/opelctl/config.yaml)");
    app.add_option("--timeout", g.timeout,
                   "seconds to wait to connect and for each answer (default: 10)");
    app.fallthrough();
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"opelctl: the opeld command-line client"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("opelctl ") + OPEL_VERSION);
    app.footer("Exit codes: 0 success, 1 refused by the server, 2 usage error, "
               "3 cannot connect.");
    opel::ctl::global_options g;
    add_global_options(app, g);
    int exit_code = 0;
    opel::ctl::add_submit_command(app, g, exit_code);
    opel::ctl::add_keys_command(app, exit_code);
    opel::ctl::add_status_command(app, g, exit_code);
    opel::ctl::add_alerts_commands(app, g, exit_code);
    opel::ctl::add_silence_commands(app, g, exit_code);
    opel::ctl::add_subscribers_commands(app, g, exit_code);
    opel::ctl::add_support_commands(app, g, exit_code);
    opel::ctl::add_tail_command(app, g, exit_code);
    opel::ctl::add_summary_commands(app, g, exit_code);
    opel::ctl::add_import_command(app, g, exit_code);
    opel::ctl::add_audit_command(app, g, exit_code);
    opel::ctl::add_rules_commands(app, exit_code);
    opel::ctl::add_backup_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // --help and --version are "errors" that exit 0; every real parse
        // error is a usage error, whatever CLI11's own code for it.
        return app.exit(e) == 0 ? opel::ctl::exit_ok : opel::ctl::exit_usage;
    } catch (const std::exception& e) {
        std::cerr << "opelctl: " << e.what() << "\n";
        return opel::ctl::exit_refused;
    }
    return exit_code;
}
