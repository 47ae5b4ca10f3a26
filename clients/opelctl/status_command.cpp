// `opelctl status`: GET /v1/status shown as the system level and one row per
// practice, coloured by level on a terminal; `status --history` the system's
// last days (GET /v1/status/history) and `history CODE` a practice's (GET
// /v1/practices/CODE/history); --json passes the answer on untouched.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "suggest.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct status_args {
    std::string place;
    std::string pcn;
    bool history = false;
    int days = 30;
    bool json = false;
};

struct history_args {
    std::string code;
    int days = 90;
    bool json = false;
};

/// "L1 3, L2 5, L3 1, L4 0" from `{counts}`.
std::string counts_text(const boost::json::value& group) {
    std::string out;
    for (const char* n : {"1", "2", "3", "4"})
        out += std::string(out.empty() ? "" : ", ") + "L" + n + " " +
               cell(field(field(group, "counts"), n));
    return out;
}

/// A group's level, or "too few" when too few report for one.
std::string group_level(const boost::json::value& g) {
    return field(g, "level").is_null() ? "too few reporting" : level_label(field(g, "level"));
}

void print_status_history(const boost::json::value& v, bool colour) {
    std::vector<table_row> rows;
    if (const auto& days = field(v, "days"); days.is_array())
        for (const auto& d : days.get_array()) {
            const auto& sys = field(d, "system");
            std::string places;
            if (const auto& p = field(d, "places"); p.is_object())
                for (const auto& [id, g] : p.get_object())
                    places += std::string(places.empty() ? "" : ", ") + std::string(id) + " " +
                              (field(g, "level").is_null() ? "-" : cell(field(g, "level")));
            rows.push_back({{cell(field(d, "date")), group_level(sys), counts_text(sys),
                             cell(field(sys, "reporting")) + " of " + cell(field(sys, "practices")),
                             places},
                            level_number(field(sys, "level"))});
        }
    print_table(std::cout, {"DATE", "SYSTEM", "BY LEVEL", "REPORTING", "PLACES"}, rows, colour);
}

/// An unknown practice is the caller's slip, not the server's refusal: exit 2
/// with the closest codes, when this token may read the practices.
void refuse_unknown_practice(http_call& call, const std::string& code) {
    const auto status = call.get("/v1/status");
    std::vector<known_name> known;
    if (status.status == 200)
        known = known_in_status(boost::json::parse(status.body), "practice");
    if (known.empty())
        throw usage_error("unknown practice '" + code + "'");
    require_known("practice", code, known);
}

int run_history(const history_args& a, const global_options& g) {
    http_call call(resolve_connection(g));
    const auto answer = call.get(with_query("/v1/practices/" + path_segment(a.code) + "/history",
                                            {{"days", std::to_string(a.days)}}));
    if (answer.status == 404 && answer.body.find("unknown_practice") != std::string::npos)
        refuse_unknown_practice(call, a.code);
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    std::vector<table_row> rows;
    if (const auto& days = field(v, "days"); days.is_array())
        for (const auto& d : days.get_array())
            rows.push_back({{cell(field(d, "date")), level_label(field(d, "level")),
                             words().themes(field(d, "themes")), cell(field(d, "note")),
                             short_time(field(d, "reported_at"))},
                            level_number(field(d, "level"))});
    if (rows.empty()) {
        std::cout << a.code << ": no reports in the last " << a.days << " days\n";
        return exit_ok;
    }
    print_table(std::cout, {"DATE", "LEVEL", "THEMES", "NOTE", "REPORTED"}, rows, colour_wanted());
    return exit_ok;
}

void print_system(const boost::json::value& status, bool colour) {
    const auto& sys = field(status, "system");
    const auto& counts = field(sys, "counts");
    std::string by_level;
    for (const char* n : {"1", "2", "3", "4"})
        by_level += std::string(by_level.empty() ? "" : ", ") + "L" + n + " " +
                    cell(field(counts, n));
    std::cout << "system: "
              << paint(group_level(sys), level_number(field(sys, "level")), colour)
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
                             level_label(field(p, "level")), words().themes(field(p, "themes")),
                             short_time(field(p, "reported_at")), stale ? "stale" : ""},
                            stale ? 0 : level_number(field(p, "level"))});
        }
    print_table(std::cout, {"CODE", "NAME", "PCN", "PLACE", "LEVEL", "THEMES", "REPORTED", ""},
                rows, colour);
}

int run_status(const status_args& a, const global_options& g) {
    if (a.history) {
        const auto answer = http_call(resolve_connection(g))
                                .get(with_query("/v1/status/history", {{"days", std::to_string(a.days)}}));
        const auto v = json_or_throw(answer);
        if (a.json)
            std::cout << answer.body << "\n";
        else
            print_status_history(v, colour_wanted());
        return exit_ok;
    }
    http_call call(resolve_connection(g));
    const auto answer = call.get("/v1/status");
    const auto v = json_or_throw(answer);
    // A filter naming no place or PCN would print an empty table: say so.
    if (!a.place.empty())
        require_known("place", a.place, known_in_status(v, "place"));
    if (!a.pcn.empty())
        require_known("PCN", a.pcn, known_in_status(v, "pcn"));
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
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
    cmd->add_flag("--history", args->history,
                  "the system and places at the daily summary's time on each of the last days");
    cmd->add_option("--days", args->days, "with --history: how many days (1 to 400, default 30)")
        ->check(CLI::Range(1, 400));
    cmd->add_flag("--json", args->json, "print the server's answer as JSON");
    cmd->callback([args, &g, &exit_code] {
        exit_code = guarded([&] { return run_status(*args, g); });
    });

    auto h = std::make_shared<history_args>();
    auto* hist = app.add_subcommand("history", "Show a practice's latest report of each day");
    hist->add_option("code", h->code, "the practice's ODS code")->required();
    hist->add_option("--days", h->days, "how many days back (1 to 400, default 90)")
        ->check(CLI::Range(1, 400));
    hist->add_flag("--json", h->json, "print the server's answer as JSON");
    hist->callback([h, &g, &exit_code] {
        exit_code = guarded([&] { return run_history(*h, g); });
    });
}

} // namespace opel::ctl
