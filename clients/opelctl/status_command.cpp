// `opelctl status`: GET /v1/status shown as the system level and one row per
// practice, coloured by level on a terminal; --json passes the answer on
// untouched for scripts.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct status_args {
    std::string place;
    std::string pcn;
    bool json = false;
};

void print_system(const boost::json::value& status, bool colour) {
    const auto& sys = field(status, "system");
    const auto& counts = field(sys, "counts");
    std::string by_level;
    for (const char* n : {"1", "2", "3", "4"})
        by_level += std::string(by_level.empty() ? "" : ", ") + "L" + n + " " +
                    cell(field(counts, n));
    std::cout << "system: "
              << paint(level_label(field(sys, "level")), level_number(field(sys, "level")), colour)
              << " (" << by_level << "; " << cell(field(sys, "reporting")) << " of "
              << cell(field(sys, "practices")) << " reporting, " << cell(field(sys, "stale"))
              << " stale) as of " << short_time(field(status, "as_of")) << "\n\n";
}

bool wanted(const status_args& a, const boost::json::value& p) {
    return (a.place.empty() || cell(field(p, "place")) == a.place) &&
           (a.pcn.empty() || cell(field(p, "pcn")) == a.pcn);
}

void print_practices(const status_args& a, const boost::json::value& status, bool colour) {
    std::vector<table_row> rows;
    const auto& list = field(status, "practices");
    if (list.is_array())
        for (const auto& p : list.get_array()) {
            if (!wanted(a, p))
                continue;
            const bool stale = field(p, "stale").is_bool() && field(p, "stale").get_bool();
            rows.push_back({{cell(field(p, "code")), cell(field(p, "name")),
                             cell(field(p, "pcn")), cell(field(p, "place")),
                             level_label(field(p, "level")), cell(field(p, "themes")),
                             short_time(field(p, "reported_at")), stale ? "stale" : ""},
                            stale ? 0 : level_number(field(p, "level"))});
        }
    print_table(std::cout, {"CODE", "NAME", "PCN", "PLACE", "LEVEL", "THEMES", "REPORTED", ""},
                rows, colour);
}

int run_status(const status_args& a, const global_options& g) {
    const auto answer = http_call(resolve_connection(g)).get("/v1/status");
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    const bool colour = colour_wanted();
    print_system(v, colour);
    print_practices(a, v, colour);
    return exit_ok;
}

} // namespace

void add_status_command(CLI::App& app, const global_options& g, int& exit_code) {
    auto args = std::make_shared<status_args>();
    auto* cmd = app.add_subcommand("status", "Show the system level and every practice's level");
    cmd->add_option("--place", args->place, "only the practices of this place id");
    cmd->add_option("--pcn", args->pcn, "only the practices of this PCN");
    cmd->add_flag("--json", args->json, "print the server's answer as JSON");
    cmd->callback([args, &g, &exit_code] {
        exit_code = guarded([&] { return run_status(*args, g); });
    });
}

} // namespace opel::ctl
