// `opelctl summary` (the daily summary) and `opelctl report` (the monthly
// report). json, csv and html come from the server as they are; the default
// text form is rendered here from the JSON, short enough to read in a
// terminal at 09:00.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <regex>

namespace opel::ctl {

namespace {

struct summary_args {
    std::string date;
    std::string month;
    std::string format = "text";
    bool publish = false;
};

/// "L1 5, L2 3, L3 2, L4 0; 10 of 40 reporting, 1 stale" for a group's shape.
std::string group_line(const boost::json::value& g) {
    std::string out;
    for (const char* n : {"1", "2", "3", "4"})
        out += std::string(out.empty() ? "" : ", ") + "L" + n + " " +
               cell(field(field(g, "counts"), n));
    return out + "; " + cell(field(g, "reporting")) + " of " + cell(field(g, "practices")) +
           " reporting, " + cell(field(g, "stale")) + " stale";
}

/// A group's level, or "too few reporting" where the group-level rule gives none.
std::string group_level_label(const boost::json::value& g) {
    return field(g, "level").is_null() ? "too few reporting" : level_label(field(g, "level"));
}

void print_groups(const char* title, const boost::json::value& groups, bool colour) {
    if (!groups.is_object() || groups.get_object().empty())
        return;
    std::vector<table_row> rows;
    for (const auto& [name, g] : groups.get_object())
        rows.push_back({{std::string(name), group_level_label(g), group_line(g)},
                        level_number(field(g, "level"))});
    std::cout << "\n";
    print_table(std::cout, {title, "LEVEL", "REPORTS"}, rows, colour);
}

/// "workforce 3, telephony 2" from [{theme, count}].
std::string theme_counts(const boost::json::value& themes) {
    std::string out;
    if (themes.is_array())
        for (const auto& t : themes.get_array())
            out += (out.empty() ? "" : ", ") + words().theme(cell(field(t, "theme"))) + " " +
                   cell(field(t, "count"));
    return out.empty() ? "-" : out;
}

void print_pressured(const boost::json::value& list, bool colour) {
    if (!list.is_array() || list.get_array().empty())
        return;
    std::vector<table_row> rows;
    for (const auto& p : list.get_array())
        rows.push_back({{cell(field(p, "code")), cell(field(p, "name")), cell(field(p, "pcn")),
                         level_label(field(p, "level")), words().themes(field(p, "themes")),
                         cell(field(p, "support_requested"))},
                        level_number(field(p, "level"))});
    std::cout << "\n";
    print_table(std::cout, {"PRESSURED", "NAME", "PCN", "LEVEL", "THEMES", "SUPPORT"}, rows,
                colour);
}

/// The open alerts one line each: level, subject, title (inhibited ones marked).
void print_alerts(const boost::json::value& list, bool colour) {
    const auto n = list.is_array() ? list.get_array().size() : 0;
    std::cout << "\nopen alerts: " << n << "\n";
    if (n == 0)
        return;
    std::vector<table_row> rows;
    for (const auto& a : list.get_array()) {
        const auto& by = field(a, "inhibited_by");
        rows.push_back({{level_label(field(a, "level")), cell(field(a, "subject")),
                         cell(field(a, "title")) +
                             (by.is_int64() ? " (inhibited by " + cell(by) + ")" : "")},
                        level_number(field(a, "level"))});
    }
    print_table(std::cout, {"LEVEL", "SUBJECT", "ALERT"}, rows, colour);
}

void print_daily(const boost::json::value& s, bool colour) {
    const auto& sys = field(s, "system");
    const bool late = field(s, "late").is_bool() && field(s, "late").get_bool();
    const auto& as_of = field(s, "as_of");
    std::cout << "OPEL daily summary " << cell(field(s, "date")) << (late ? " (late)" : "")
              << "\nas of " << short_time(as_of.is_null() ? field(s, "generated_at") : as_of)
              << "\nsystem: "
              << paint(group_level_label(sys), level_number(field(sys, "level")), colour)
              << " (" << group_line(sys) << ")\n";
    print_groups("PLACE", field(s, "by_place"), colour);
    print_groups("PCN", field(s, "by_pcn"), colour);
    print_pressured(field(s, "pressured"), colour);
    const auto& changes = field(s, "changes");
    std::cout << "\nthemes: " << theme_counts(field(s, "themes"))
              << "\nnot reporting: " << cell(field(s, "not_reporting"))
              << "\nescalated: " << cell(field(changes, "escalated"))
              << "; de-escalated: " << cell(field(changes, "de_escalated")) << "\n";
    print_alerts(field(s, "open_alerts"), colour);
}

/// The weekly trend: each week's dates (with the year), responses and level.
void print_weeks(const boost::json::value& weeks) {
    if (!weeks.is_array() || weeks.get_array().empty())
        return;
    std::vector<table_row> rows;
    for (const auto& w : weeks.get_array())
        rows.push_back({{cell(field(w, "start")) + " to " + cell(field(w, "end")),
                         cell(field(w, "responses")), group_level_label(w)},
                        level_number(field(w, "level"))});
    std::cout << "\n";
    print_table(std::cout, {"WEEK", "RESPONSES", "LEVEL"}, rows, colour_wanted());
}

void print_monthly(const boost::json::value& r) {
    std::cout << "OPEL monthly report " << cell(field(r, "month")) << ": "
              << cell(field(r, "responses")) << " responses from "
              << cell(field(r, "practices_reporting")) << " practices\nby level:";
    for (const char* n : {"1", "2", "3", "4"})
        std::cout << " L" << n << " " << cell(field(field(r, "by_level"), n));
    std::cout << "\nby place:";
    if (field(r, "by_place").is_object())
        for (const auto& [place, count] : field(r, "by_place").get_object())
            std::cout << " " << std::string(place) << " " << cell(count);
    std::cout << "\nthemes: " << theme_counts(field(r, "themes")) << "\n";
    if (const auto& prev = field(r, "previous"); prev.is_object())
        std::cout << "the month before (" << cell(field(prev, "month"))
                  << "): " << cell(field(prev, "responses")) << " responses from "
                  << cell(field(prev, "practices_reporting")) << " practices, system "
                  << group_level_label(boost::json::object{
                         {"level", field(field(prev, "levels"), "system")}})
                  << "\n";
    print_weeks(field(r, "weeks"));
}

/// Fetches `path` in the asked format; prints it raw unless it is text.
int fetch_and_print(const summary_args& a, const global_options& g, const std::string& path,
                    std::vector<std::pair<std::string, std::string>> query, bool daily) {
    // Publishing answers with the summary as JSON only; the POST takes no format.
    if (a.publish && (a.format == "csv" || a.format == "html"))
        throw usage_error("--publish prints the summary as text or json only");
    if (!a.publish)
        query.emplace_back("format", a.format == "text" ? "json" : a.format);
    auto call = http_call(resolve_connection(g));
    const auto target = with_query(path, query);
    const auto answer = a.publish ? call.request(boost::beast::http::verb::post, target)
                                  : call.get(target);
    if (a.format != "text") {
        if (answer.status < 200 || answer.status > 299)
            json_or_throw(answer);
        std::cout << answer.body << (answer.body.ends_with('\n') ? "" : "\n");
        return exit_ok;
    }
    const auto v = json_or_throw(answer);
    load_words(call);
    daily ? print_daily(v, colour_wanted()) : print_monthly(v);
    return exit_ok;
}

/// A CLI11 check that the value matches `pattern`, described as `shape`.
CLI::Validator shaped(const char* pattern, const std::string& shape) {
    return CLI::Validator(
        [re = std::regex(pattern), shape](const std::string& v) {
            return std::regex_match(v, re) ? std::string() : "must be " + shape;
        },
        shape);
}

void add_summary(CLI::App& app, const global_options& g, int& exit_code) {
    auto s = std::make_shared<summary_args>();
    auto* cmd = app.add_subcommand("summary", "Show the daily summary (generated if need be)");
    cmd->add_option("--date", s->date, "the day, YYYY-MM-DD (default: today's)")
        ->check(shaped(R"(\d{4}-\d{2}-\d{2})", "YYYY-MM-DD"));
    cmd->add_option("--format", s->format, "text, json, csv or html")
        ->check(CLI::IsMember({"text", "json", "csv", "html"}));
    cmd->add_flag("--publish", s->publish, "admin: build it now and send it to every subscriber");
    cmd->callback([s, &g, &exit_code] {
        exit_code = guarded([&] {
            std::vector<std::pair<std::string, std::string>> q;
            if (!s->date.empty())
                q.emplace_back("date", s->date);
            return fetch_and_print(*s, g, "/v1/summaries/daily", q, true);
        });
    });
}

void add_report(CLI::App& app, const global_options& g, int& exit_code) {
    auto m = std::make_shared<summary_args>();
    auto* cmd = app.add_subcommand("report", "Show the monthly report");
    cmd->add_option("--month", m->month, "the month, YYYY-MM")
        ->required()
        ->check(shaped(R"(\d{4}-\d{2})", "YYYY-MM"));
    cmd->add_option("--format", m->format, "text, json, csv or html")
        ->check(CLI::IsMember({"text", "json", "csv", "html"}));
    cmd->callback([m, &g, &exit_code] {
        exit_code = guarded([&] {
            return fetch_and_print(*m, g, "/v1/reports/monthly", {{"month", m->month}}, false);
        });
    });
}

} // namespace

void add_summary_commands(CLI::App& app, const global_options& g, int& exit_code) {
    add_summary(app, g, exit_code);
    add_report(app, g, exit_code);
}

} // namespace opel::ctl
