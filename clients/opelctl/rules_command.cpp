// `opelctl rules ...`: the primary care team's tools for the rules file.
// `rules test` replays a history through a (new) rules file and prints what
// would have fired, when and why; `rules check` only validates the file. The
// replay itself is rules::run_backtest, pure and tested on its own.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "import_source.hpp"

#include "config/config_loader.hpp"
#include "config/practices_loader.hpp"
#include "core/time.hpp"
#include "rules/backtest.hpp"
#include "rules/rules_loader.hpp"

#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace opel::ctl {

namespace {

struct rules_test_args {
    std::string rules;
    std::string history;
    std::string practices;
    std::string config;
    std::string format = "text";
    std::string until;
    bool all = false;
    bool per_day = false;
};

void print(const std::vector<core::diagnostic>& errors) {
    for (const auto& e : errors)
        std::cerr << e.to_string() << "\n";
}

/// Fills the options from --config (timezone, calendar, summary time and
/// practices) or the defaults; false after printing why it cannot.
bool read_settings(const rules_test_args& a, rules::backtest_options& o) {
    std::vector<core::diagnostic> errors;
    std::string zone = "Europe/London";
    if (!a.config.empty()) {
        const auto cfg = config::load_config(a.config, errors);
        if (!cfg) {
            print(errors);
            return false;
        }
        zone = cfg->timezone;
        o.calendar = cfg->calendar;
        o.summary_at = cfg->summary.at;
        o.practices = cfg->practices;
    }
    if (!a.practices.empty()) {
        auto ps = config::load_practices(a.practices, errors);
        if (!ps) {
            print(errors);
            return false;
        }
        o.practices = std::move(*ps);
    }
    try {
        o.zone = date::locate_zone(zone);
    } catch (const std::exception&) {
        std::cerr << "opelctl: unknown time zone " << zone << "\n";
        return false;
    }
    return true;
}

/// The history as the NDJSON the replay reads. CSV is converted as `import`
/// converts it; each row is put on the line where it starts in the file
/// (blank lines between), so the replay's messages name the file's own
/// lines. Rows that cannot be converted are printed and counted in `refused`.
std::unique_ptr<std::istream> history_stream(std::ifstream& in, const std::string& path,
                                             std::size_t& refused) {
    if (pick_format({}, path, in) == import_format::ndjson)
        return std::make_unique<std::istream>(in.rdbuf());
    import_source source(in, import_format::csv);
    std::string text;
    std::size_t line = 1;
    while (const auto row = source.next()) {
        if (!row->error.empty()) {
            std::cerr << path << ":" << row->file_line << ": " << row->error << "\n";
            ++refused;
            continue;
        }
        for (; line < row->file_line; ++line)
            text += "\n";
        text += row->json + "\n";
        ++line;
    }
    return std::make_unique<std::istringstream>(std::move(text));
}

int run_rules_test(const rules_test_args& a) {
    rules::backtest_options o;
    std::vector<core::diagnostic> errors;
    o.rules = rules::load_rule_set(a.rules, errors);
    if (!o.rules) {
        print(errors);
        return 1;
    }
    if (!read_settings(a, o))
        return 1;
    if (!a.until.empty()) {
        o.until = core::parse_time(a.until);
        if (!o.until) {
            std::cerr << "opelctl: --until must be an RFC 3339 date-time\n";
            return 2;
        }
    }
    std::ifstream in(a.history);
    if (!in) {
        std::cerr << a.history << ": cannot read the history file\n";
        return 1;
    }
    std::size_t refused = 0;
    std::unique_ptr<std::istream> history;
    try {
        history = history_stream(in, a.history, refused);
    } catch (const usage_error& e) {
        std::cerr << a.history << ": " << e.what() << "\n";
        return 2;
    }
    // A year of a nation's reports makes millions of changes: keep only
    // those printed (the per-day table and the counts are made as it goes).
    o.keep = a.per_day ? rules::backtest_keep::none
             : a.all   ? rules::backtest_keep::all
                       : rules::backtest_keep::firings;
    const auto result = rules::run_backtest(*history, a.history, o);
    if (a.per_day) {
        // The noise, not the alerts: raised, inhibited and told per day and audience.
        const auto& noise = result.noise;
        if (a.format == "json")
            std::cout << boost::json::serialize(boost::json::object{
                             {"reports", result.reports},
                             {"per_day", rules::per_day_json(noise)}})
                      << "\n";
        else
            std::cout << rules::format_per_day(noise) << "\n" << result.reports
                      << " reports replayed\n";
    } else if (a.format == "json")
        std::cout << boost::json::serialize(rules::to_json(result, a.all)) << "\n";
    else
        std::cout << rules::format_text(result, o.zone, a.all);
    return result.rejected.empty() && refused == 0 ? 0 : 2;
}

void add_rules_test(CLI::App& rules_cmd, int& exit_code) {
    auto args = std::make_shared<rules_test_args>();
    auto* test = rules_cmd.add_subcommand(
        "test", "Replay a history of reports through a rules file and show what would have fired");
    test->add_option("--rules", args->rules, "the rules file to try")->required()->check(CLI::ExistingFile);
    test->add_option("--history", args->history,
                     "the history: NDJSON (one submission with reported_at, RFC 3339, a line) "
                     "or CSV as `opelctl import` reads it (by extension, else first character)")
        ->required()
        ->check(CLI::ExistingFile);
    test->add_option("--practices", args->practices,
                     "the practices file (default: the config's, or inferred from the history)")
        ->check(CLI::ExistingFile);
    test->add_option("--config", args->config,
                     "a daemon config: its timezone, calendar, summary time and practices")
        ->check(CLI::ExistingFile);
    test->add_option("--format", args->format, "text or json")
        ->check(CLI::IsMember({"text", "json"}));
    test->add_option("--until", args->until,
                     "run the clock to this RFC 3339 time (default: a day after the last report)");
    test->add_flag("--all", args->all, "show every change (repeats, resolutions), not only firings");
    test->add_flag("--per-day", args->per_day,
                   "count alerts raised (inhibited apart) and notifications told per day and "
                   "audience, instead of listing them");
    test->callback([args, &exit_code] { exit_code = run_rules_test(*args); });
}

void add_rules_check(CLI::App& rules_cmd, int& exit_code) {
    auto file = std::make_shared<std::string>();
    auto* check = rules_cmd.add_subcommand("check", "Validate a rules file");
    check->add_option("file", *file, "the rules file")->required();
    check->callback([file, &exit_code] {
        std::vector<core::diagnostic> errors;
        const auto set = rules::load_rule_set(*file, errors);
        print(errors);
        if (set)
            std::cout << *file << ": " << set->rules.size() << " rules, " << set->themes.size()
                      << " themes: ok\n";
        exit_code = set ? 0 : 1;
    });
}

} // namespace

void add_rules_commands(CLI::App& app, int& exit_code) {
    auto* rules_cmd = app.add_subcommand("rules", "Work with escalation rules files");
    rules_cmd->require_subcommand(1);
    add_rules_test(*rules_cmd, exit_code);
    add_rules_check(*rules_cmd, exit_code);
}

} // namespace opel::ctl
