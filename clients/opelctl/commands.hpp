#pragma once
// The subcommands of opelctl, one file each; main.cpp only registers them.
// A command sets `exit_code` when it runs (0 ok, 1 refused by the server,
// 2 bad input, 3 cannot connect: ctl_error.hpp).

#include "client_config.hpp"

#include <CLI/CLI.hpp>

namespace opel::ctl {

/// `opelctl rules test` (replay history through a rules file) and
/// `opelctl rules check` (validate a rules file).
void add_rules_commands(CLI::App& app, int& exit_code);

/// `opelctl submit`: report a practice's level over HTTP or ZeroMQ.
void add_submit_command(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl status`: every practice's level now, as a table or JSON.
void add_status_command(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl alerts` (list) and `opelctl ack ID` (acknowledge).
void add_alerts_commands(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl silence add|list|expire`.
void add_silence_commands(CLI::App& app, const global_options& g, int& exit_code);

/// `subscribers list` and `subscribers test NAME`.
void add_subscribers_commands(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl support offer|list|move` and `opelctl escalate`.
void add_support_commands(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl tail`: follow the event feed over SSE or ZeroMQ.
void add_tail_command(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl summary` (the daily summary) and `opelctl report` (monthly).
void add_summary_commands(CLI::App& app, const global_options& g, int& exit_code);

/// `opelctl keys`: a new CURVE key pair (public and secret, Z85).
void add_keys_command(CLI::App& app, int& exit_code);
/// `opelctl backup FILE`: a consistent copy of the database of a running daemon.
void add_backup_command(CLI::App& app, int& exit_code);
/// `opelctl audit`: the audit log (admin).
void add_audit_command(CLI::App& app, const global_options& g, int& exit_code);
/// `opelctl import FILE`: load history from NDJSON or CSV.
void add_import_command(CLI::App& app, const global_options& g, int& exit_code);

} // namespace opel::ctl
