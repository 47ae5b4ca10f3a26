// backtest_bench: a year of England's daily reports through the backtest
// (`opelctl rules test`'s replay) with the shipped rules. Goal: under 10 s.
//
// 6,300 practices in 1,260 PCNs and 42 places each report once on every
// working day of 2026 (England's bank holidays out) between 08:00 and 10:00
// London time: 1.6 million lines of NDJSON. A practice keeps its level from
// one day to the next four times in five; otherwise it draws from the mix
// LLR published for December 2022 (27% at 1, 47% at 2, 24% at 3, 2% at 4),
// and a report at 2 or above names one or two themes. Lines are in time
// order, as an export of the store is. The history is made in memory first;
// what is timed is run_backtest over it (parsing every line, the replay on
// its simulated clock, the per-day table `--per-day` prints counted as it
// goes).
#include "rules/backtest.hpp"
#include "rules/rules_loader.hpp"

#include <CLI/CLI.hpp>
#include <date/date.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace {

/// England's bank holidays of 2026.
std::vector<date::year_month_day> holidays_2026() {
    using namespace date;
    return {2026_y / January / 1, 2026_y / April / 3,    2026_y / April / 6,
            2026_y / May / 4,     2026_y / May / 25,     2026_y / August / 31,
            2026_y / December / 25, 2026_y / December / 28};
}

/// Peak resident memory of this process so far, in MiB (VmHWM).
long peak_rss_mib() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stol(line.substr(6)) / 1024;
    return -1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"backtest_bench: a year of England's daily reports through the backtest"};
    std::string rules_file = "rules/llr.yaml";
    int practices = 6300;
    int days = 365;
    std::string write_history, write_practices;
    app.add_option("--rules", rules_file, "rules file");
    app.add_option("--practices", practices, "number of practices");
    app.add_option("--days", days, "days of 2026 from 1 January (reports on working days only)");
    app.add_option("--write-history", write_history,
                   "also write the history here (for `opelctl rules test --history`)");
    app.add_option("--write-practices", write_practices,
                   "also write the practices here (YAML, for `opelctl rules test --practices`)");
    CLI11_PARSE(app, argc, argv);

    std::vector<opel::core::diagnostic> errors;
    opel::rules::backtest_options o;
    o.rules = opel::rules::load_rule_set(rules_file, errors);
    if (!o.rules) {
        for (const auto& e : errors)
            std::cerr << e.to_string() << "\n";
        return 1;
    }
    o.zone = date::locate_zone("Europe/London");
    o.calendar.holidays = holidays_2026();
    for (int i = 0; i < practices; ++i) {
        char code[16];
        std::snprintf(code, sizeof code, "Q%05d", i);
        o.practices.push_back({code, "Practice " + std::to_string(i),
                               "PCN " + std::to_string(i / 5), "place " + std::to_string(i / 150)});
    }

    std::mt19937 rng(42);
    const auto draw_level = [&] {
        const auto r = rng() % 100;
        return r < 27 ? 1 : r < 74 ? 2 : r < 98 ? 3 : 4;
    };
    std::vector<int> level(o.practices.size());
    for (auto& l : level)
        l = draw_level();
    const auto& themes = o.rules->themes;
    std::string history;
    std::size_t lines = 0;
    const date::sys_days first = date::year{2026} / 1 / 1;
    for (int d = 0; d < days; ++d) {
        const auto day = first + date::days{d};
        if (!o.calendar.is_working_day(day))
            continue;
        // A day's lines in time order, as an export of the store (in id order) is.
        std::vector<std::pair<date::sys_seconds, std::string>> lines_of_day;
        for (std::size_t p = 0; p < o.practices.size(); ++p) {
            if (rng() % 5 == 0)
                level[p] = draw_level();
            const auto local = date::local_days{day.time_since_epoch()} + std::chrono::hours(8) +
                               std::chrono::seconds(rng() % 7200);
            const auto at = date::floor<std::chrono::seconds>(
                o.zone->to_sys(date::local_seconds{local.time_since_epoch()}));
            std::string line = "{\"practice\":\"" + o.practices[p].code +
                               "\",\"level\":" + std::to_string(level[p]) + ",\"themes\":[";
            if (level[p] >= 2) {
                const auto a = rng() % themes.size();
                line += "\"" + themes[a] + "\"";
                if (rng() % 2 == 0) { // a second theme, another one
                    const auto b = (a + 1 + rng() % (themes.size() - 1)) % themes.size();
                    line += ",\"" + themes[b] + "\"";
                }
            }
            line += "],\"reported_at\":\"" + date::format("%FT%TZ", at) + "\"}\n";
            lines_of_day.emplace_back(at, std::move(line));
        }
        std::sort(lines_of_day.begin(), lines_of_day.end());
        for (const auto& [at, line] : lines_of_day)
            history += line;
        lines += lines_of_day.size();
    }
    if (!write_history.empty())
        std::ofstream(write_history) << history;
    if (!write_practices.empty()) {
        std::ofstream out(write_practices);
        out << "practices:\n";
        for (const auto& p : o.practices)
            out << "  - {code: " << p.code << ", name: " << p.name << ", pcn: " << p.pcn
                << ", place: " << p.place << "}\n";
    }

    // As `opelctl rules test --per-day` runs it: no change kept, the table
    // counted as the replay goes.
    o.keep = opel::rules::backtest_keep::none;
    std::istringstream in(std::move(history));
    const auto start = std::chrono::steady_clock::now();
    const auto result = opel::rules::run_backtest(in, "history", o);
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << lines << " lines, " << result.reports << " reports over " << practices
              << " practices: backtest " << took.count() << " s (" << result.reports / took.count()
              << " reports/s), " << result.changes_made << " changes, " << result.noise.size()
              << " days in the table, " << result.rejected.size() << " refused, peak RSS "
              << peak_rss_mib() << " MiB\n";
    return result.rejected.empty() ? 0 : 1;
}
