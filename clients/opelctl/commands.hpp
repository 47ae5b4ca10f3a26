#pragma once
// The subcommands of opelctl, one file each; main.cpp only registers them.
// A command sets `exit_code` when it runs (0 ok, 1 failed, 2 bad input).

#include <CLI/CLI.hpp>

namespace opel::ctl {

/// `opelctl rules test` (replay history through a rules file) and
/// `opelctl rules check` (validate a rules file).
void add_rules_commands(CLI::App& app, int& exit_code);

} // namespace opel::ctl
