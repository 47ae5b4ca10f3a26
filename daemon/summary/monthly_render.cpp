// Rendering the monthly report. The CSV is long-form (one figure per row) so
// a spreadsheet can pivot it and a new place or theme adds rows, not columns;
// the page draws its bar chart as inline SVG so it needs no script and prints.
#include "summary/monthly_render.hpp"

#include "core/opel_level.hpp"
#include "summary/json_read.hpp"
#include "summary/monthly_sections.hpp"
#include "summary/page.hpp"
#include "summary/text.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>

namespace opel::summary {

namespace {

namespace json = boost::json;

// Four bars in the OPEL colours, each labelled with its level and count so
// the chart reads in greyscale too.
std::string level_chart(const json::object& by_level) {
    std::array<std::int64_t, 4> n{};
    for (std::size_t i = 0; i < n.size(); ++i)
        n[i] = count_at(by_level, std::to_string(i + 1));
    const auto top = std::max<std::int64_t>(1, *std::max_element(n.begin(), n.end()));
    constexpr int base = 180, span = 140, width = 70;
    std::string out = "<svg viewBox=\"0 0 400 220\" width=\"100%\" style=\"max-width:30rem\" "
                      "role=\"img\" aria-labelledby=\"chart-title\">\n"
                      "<title id=\"chart-title\">Responses by OPEL level</title>\n";
    for (std::size_t i = 0; i < n.size(); ++i) {
        const auto& info = core::level_of(static_cast<int>(i) + 1);
        const auto h = static_cast<int>(n[i] * span / top);
        const auto x = 20 + static_cast<int>(i) * 95;
        const auto level = std::to_string(info.level);
        out += "<rect class=\"bar\" x=\"" + std::to_string(x) + "\" y=\"" +
               std::to_string(base - h) + "\" width=\"" + std::to_string(width) + "\" height=\"" +
               std::to_string(h) + "\" fill=\"" + std::string(info.hex) +
               "\" stroke=\"#333\"><title>OPEL " + level + ": " + std::to_string(n[i]) +
               "</title></rect>\n";
        out += "<text x=\"" + std::to_string(x + width / 2) + "\" y=\"" +
               std::to_string(base - h - 6) + "\" text-anchor=\"middle\" font-size=\"14\">" +
               std::to_string(n[i]) + "</text>\n";
        out += "<text x=\"" + std::to_string(x + width / 2) + "\" y=\"" +
               std::to_string(base + 20) + "\" text-anchor=\"middle\" font-size=\"14\">OPEL " +
               level + "</text>\n";
    }
    return out + "</svg>\n";
}

// Rows are (html, text): the first cell is markup the caller escaped or built.
std::string two_column_table(std::string_view head, std::string_view count_head,
                             const std::vector<std::pair<std::string, std::string>>& rows) {
    std::string out = "<div class=\"scroll\"><table>\n<thead><tr><th>" + html_escape(head) +
                      "</th><th class=\"n\">" + html_escape(count_head) +
                      "</th></tr></thead>\n<tbody>\n";
    for (const auto& [key, value] : rows)
        out += "<tr><td>" + key + "</td><td class=\"n\">" + html_escape(value) + "</td></tr>\n";
    return out + std::string(table_close);
}

// What the team did: support offered by action, and, as the published
// monthly tables put it, what it escalated to the system.
std::string support_section(const json::object& report, const theme_names& actions) {
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& t : array_at(report, "support"))
        if (t.is_object())
            rows.emplace_back(html_escape(actions.name(member_text(t.get_object(), "action"))),
                              member_text(t.get_object(), "count"));
    std::string out = "<h2>Support offered</h2>\n";
    out += rows.empty() ? std::string("<p>No support was offered this month.</p>\n")
                        : two_column_table("Action", "Items", rows);
    out += "<h2>Escalations to the system</h2>\n";
    const auto& list = array_at(report, "escalations");
    if (list.empty())
        return out + "<p>Nothing was escalated to the system this month.</p>\n";
    out += "<p>The primary care team escalated the following to the system:</p>\n<ul>\n";
    for (const auto& e : list)
        if (e.is_object())
            out += "<li>" + level_badge(static_cast<int>(count_at(e.get_object(), "level"))) +
                   " " + html_escape(member_text(e.get_object(), "title")) + "</li>\n";
    return out + "</ul>\n";
}

// One group's figures (a place's, a PCN's or a week's): a row for each,
// `section.figure,key,value`, the levels' counts as `section.by_level.N`.
std::string group_rows(const std::string& section, const std::string& key,
                       const json::object& g) {
    std::string out;
    for (const char* figure : {"place", "end", "responses", "practices",
                               "practices_reporting", "level"})
        if (g.contains(figure))
            out += csv_row({section + "." + figure, key, member_text(g, figure)});
    for (const auto& [level, n] : object_at(g, "by_level"))
        out += csv_row({section + ".by_level." + std::string(level), key, text_of(&n)});
    for (const auto& [place, level] : object_at(g, "places"))
        out += csv_row({section + ".place_level." + std::string(place), key, text_of(&level)});
    return out;
}

// The board paper's figures: the month's levels, each place and PCN, each
// week (keyed by its first day), and the month before's headline figures.
std::string board_rows(const json::object& report, const theme_names& themes) {
    std::string out;
    const auto& levels = object_at(report, "levels");
    if (const auto* system = levels.if_contains("system"))
        out += csv_row({"level", "system", text_of(system)});
    for (const auto& [place, level] : object_at(levels, "places"))
        out += csv_row({"level", std::string(place), text_of(&level)});
    const auto& groups = object_at(report, "groups");
    for (const auto& [place, g] : object_at(groups, "places"))
        if (g.is_object()) out += group_rows("place", std::string(place), g.get_object());
    for (const auto& [pcn, g] : object_at(groups, "pcns"))
        if (g.is_object()) out += group_rows("pcn", std::string(pcn), g.get_object());
    for (const auto& w : array_at(report, "weeks"))
        if (w.is_object())
            out += group_rows("week", member_text(w.get_object(), "start"), w.get_object());
    const auto& previous = object_at(report, "previous");
    if (previous.empty()) return out;
    out += csv_row({"previous.month", "", member_text(previous, "month")});
    out += csv_row({"previous.responses", "", member_text(previous, "responses")});
    out += csv_row({"previous.practices_reporting", "",
                    member_text(previous, "practices_reporting")});
    if (const auto* system = object_at(previous, "levels").if_contains("system"))
        out += csv_row({"previous.level", "system", text_of(system)});
    for (const auto& [level, n] : object_at(previous, "by_level"))
        out += csv_row({"previous.by_level", std::string(level), text_of(&n)});
    for (const auto& [place, n] : object_at(previous, "by_place"))
        out += csv_row({"previous.by_place", std::string(place), text_of(&n)});
    for (const auto& t : array_at(previous, "themes"))
        if (t.is_object())
            out += csv_row({"previous.theme", themes.name(member_text(t.get_object(), "theme")),
                            member_text(t.get_object(), "count")});
    return out;
}

} // namespace

std::string render_monthly_csv(const boost::json::object& report, const theme_names& themes,
                               const theme_names& actions) {
    std::string out = csv_row({"section", "key", "value"});
    out += csv_row({"month", "", member_text(report, "month")});
    out += csv_row({"responses", "", member_text(report, "responses")});
    out += csv_row({"practices_reporting", "", member_text(report, "practices_reporting")});
    for (const auto& [level, n] : object_at(report, "by_level"))
        out += csv_row({"by_level", std::string(level), text_of(&n)});
    for (const auto& [place, n] : object_at(report, "by_place"))
        out += csv_row({"by_place", std::string(place), text_of(&n)});
    for (const auto& t : array_at(report, "themes"))
        if (t.is_object())
            out += csv_row({"theme", themes.name(member_text(t.get_object(), "theme")),
                            member_text(t.get_object(), "count")});
    for (const auto& t : array_at(report, "support"))
        if (t.is_object())
            out += csv_row({"support", actions.name(member_text(t.get_object(), "action")),
                            member_text(t.get_object(), "count")});
    for (const auto& e : array_at(report, "escalations"))
        if (e.is_object())
            out += csv_row({"escalation", member_text(e.get_object(), "title"),
                            member_text(e.get_object(), "level")});
    return out + board_rows(report, themes);
}

std::string render_monthly_html(const boost::json::object& report, const theme_names& themes,
                                const theme_names& actions) {
    std::string out =
        page_head("OPEL monthly report: " + month_title(member_text(report, "month")), a4_css());
    out += "<p class=\"meta\">" + html_escape(member_text(report, "responses")) +
           " responses from " + html_escape(member_text(report, "practices_reporting")) +
           " practices.</p>\n";
    out += comparison_section(report);
    out += "<section class=\"keep\"><h2>Responses by level</h2>\n" +
           level_chart(object_at(report, "by_level"));
    std::vector<std::pair<std::string, std::string>> rows;
    for (const auto& [level, n] : object_at(report, "by_level")) {
        const auto& info = core::level_of(std::atoi(std::string(level).c_str()));
        rows.emplace_back(level_badge(info.level), text_of(&n));
    }
    out += two_column_table("Level", "Responses", rows) + "</section>\n";
    out += weekly_section(report);
    if (report.contains("groups")) {
        out += groups_section(report);
    } else {
        rows.clear();
        for (const auto& [place, n] : object_at(report, "by_place"))
            rows.emplace_back(html_escape(place), text_of(&n));
        out += "<h2>Responses by place</h2>\n" + two_column_table("Place", "Responses", rows);
    }
    out += themes_section(report, themes);
    return out + support_section(report, actions) + page_tail();
}

} // namespace opel::summary
