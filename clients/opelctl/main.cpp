// opelctl: the command-line client. main parses the arguments and runs the
// chosen subcommand; each subcommand lives in its own file (commands.hpp).
#include "commands.hpp"

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"opelctl: the opeld command-line client"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("opelctl ") + OPEL_VERSION);
    int exit_code = 0;
    opel::ctl::add_rules_commands(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const std::exception& e) {
        std::cerr << "opelctl: " << e.what() << "\n";
        return 1;
    }
    return exit_code;
}
