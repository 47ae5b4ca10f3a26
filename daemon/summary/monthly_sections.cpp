// The monthly report's board-paper sections. Charts are inline SVG drawn
// here (no script: the page is mailed, saved and printed), every bar labelled
// with its figure and level so the page reads in greyscale, and the chart is
// followed by a table of the same figures for screen readers and for the
// minutes. Names (places, PCNs, themes) are escaped; levels are always
// written out, never colour alone.
#include "summary/monthly_sections.hpp"

#include "core/opel_level.hpp"
#include "summary/daily.hpp"
#include "summary/json_read.hpp"
#include "summary/monthly.hpp"
#include "summary/page.hpp"
#include "summary/text.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>

#include <date/date.h>

namespace opel::summary {

namespace {

namespace json = boost::json;

std::optional<int> level_of(const json::object& o) {
    const auto* v = o.if_contains("level");
    if (!v || !v->is_int64() || v->get_int64() < 1 || v->get_int64() > 4) return std::nullopt;
    return static_cast<int>(v->get_int64());
}

/// The month's system level (`levels.system`), if it has one.
std::optional<int> system_level(const json::object& report) {
    const auto* v = object_at(report, "levels").if_contains("system");
    if (!v || !v->is_int64() || v->get_int64() < 1 || v->get_int64() > 4) return std::nullopt;
    return static_cast<int>(v->get_int64());
}

/// A group's level as a badge, or "too few reporting" in grey: never a colour without a level.
std::string badge(std::optional<int> level) {
    return level ? level_badge(level) : "<span class=\"level l0\">too few reporting</span>";
}

std::string td(const std::string& html, bool numeric = false) {
    return std::string(numeric ? "<td class=\"n\">" : "<td>") + html + "</td>";
}

/// "+12", "-3", "0".
std::string change(std::int64_t now, std::int64_t before) {
    const auto d = now - before;
    return d > 0 ? "+" + std::to_string(d) : std::to_string(d);
}

/// "3 Dec 2022" for "2022-12-03".
std::string day_title(const std::string& ymd) {
    const auto d = parse_date(ymd);
    if (!d) return ymd;
    return std::to_string(static_cast<unsigned>(d->day())) + " " +
           date::format("%b %Y", date::sys_days{*d});
}

std::string level_cells(const json::object& by_level) {
    std::string out;
    for (const char* k : {"1", "2", "3", "4"})
        out += td(std::to_string(count_at(by_level, k)), true);
    return out;
}

} // namespace

std::string month_title(const std::string& yyyy_mm) {
    const auto m = parse_month(yyyy_mm);
    return m ? date::format("%B %Y", date::sys_days{*m / 1}) : yyyy_mm;
}

std::string comparison_section(const json::object& report) {
    const auto& prev = object_at(report, "previous");
    if (prev.empty()) return {};
    const auto now_title = month_title(member_text(report, "month"));
    const auto prev_title = month_title(member_text(prev, "month"));
    std::string out = "<section class=\"keep\"><h2>This month against the last</h2>\n";
    out += table_open({"", now_title, prev_title, "Change"});
    const auto row = [&](std::string_view label, std::int64_t a, std::int64_t b) {
        out += "<tr>" + td(html_escape(label)) + td(std::to_string(a), true) +
               td(std::to_string(b), true) + td(change(a, b), true) + "</tr>\n";
    };
    row("Responses", count_at(report, "responses"), count_at(prev, "responses"));
    row("Practices reporting", count_at(report, "practices_reporting"), count_at(prev, "practices_reporting"));
    for (const char* k : {"1", "2", "3", "4"})
        row("Responses at OPEL " + std::string(k), count_at(object_at(report, "by_level"), k),
            count_at(object_at(prev, "by_level"), k));
    const auto a = system_level(report);
    const auto b = system_level(prev);
    const std::string moved = !a || !b ? "" : *a > *b ? "higher" : *a < *b ? "lower" : "same";
    out += "<tr>" + td("System level") + td(badge(a)) + td(badge(b)) + td(moved, true) + "</tr>\n";
    return out + std::string(table_close) + "</section>\n";
}

namespace {

/// Stacked bars, one per week, each topped by the week's level.
std::string week_chart(const json::array& weeks) {
    std::int64_t top = 1;
    for (const auto& w : weeks)
        if (w.is_object()) top = std::max(top, count_at(w.get_object(), "responses"));
    const int n = std::max<int>(1, static_cast<int>(weeks.size()));
    const int step = 560 / n, bar = std::min(70, step - 20), base = 200, span = 150;
    std::string out = "<svg class=\"chart\" viewBox=\"0 0 600 250\" width=\"100%\" role=\"img\" "
                      "aria-labelledby=\"weeks-title\">\n<title id=\"weeks-title\">Responses by "
                      "level and the level of each week</title>\n";
    for (std::size_t i = 0; i < weeks.size(); ++i) {
        if (!weeks[i].is_object()) continue;
        const auto& w = weeks[i].get_object();
        const int x = 30 + static_cast<int>(i) * step;
        int y = base;
        for (int l = 1; l <= 4; ++l) {
            const auto c = count_at(object_at(w, "by_level"), std::to_string(l));
            const int h = static_cast<int>(c * span / top);
            if (h == 0) continue;
            y -= h;
            out += "<rect class=\"wk\" x=\"" + std::to_string(x) + "\" y=\"" + std::to_string(y) +
                   "\" width=\"" + std::to_string(bar) + "\" height=\"" + std::to_string(h) +
                   "\" fill=\"" + std::string(core::level_of(l).hex) +
                   "\" stroke=\"#333\"><title>" + html_escape(day_title(member_text(w, "start"))) +
                   ": " + std::to_string(c) + " at OPEL " + std::to_string(l) +
                   "</title></rect>\n";
        }
        const auto level = level_of(w);
        const auto mid = std::to_string(x + bar / 2);
        out += "<text x=\"" + mid + "\" y=\"" + std::to_string(y - 8) +
               "\" text-anchor=\"middle\" font-size=\"13\" font-weight=\"bold\">" +
               (level ? "OPEL " + std::to_string(*level) : std::string("too few")) + "</text>\n";
        out += "<text x=\"" + mid + "\" y=\"" + std::to_string(base + 18) +
               "\" text-anchor=\"middle\" font-size=\"12\">" +
               html_escape(day_title(member_text(w, "start"))) + "</text>\n";
    }
    return out + "</svg>\n";
}

} // namespace

std::string weekly_section(const json::object& report) {
    const auto& weeks = array_at(report, "weeks");
    if (weeks.empty()) return {};
    std::string out = "<section class=\"keep\"><h2>Week by week</h2>\n"
                      "<p class=\"meta\">Weeks start on Monday and are cut at the month's edges. "
                      "A week's level is the group-level rule over its responses.</p>\n";
    out += week_chart(weeks);
    out += table_open({"Week", "Responses", "1", "2", "3", "4", "Level", "Places"});
    for (const auto& v : weeks) {
        if (!v.is_object()) continue;
        const auto& w = v.get_object();
        std::string places;
        for (const auto& [id, l] : object_at(w, "places"))
            places += (places.empty() ? "" : ", ") + html_escape(id) + " " +
                      (l.is_int64() ? std::to_string(l.get_int64()) : std::string("-"));
        out += "<tr>" +
               td(html_escape(day_title(member_text(w, "start")) + " to " +
                              day_title(member_text(w, "end")))) +
               td(std::to_string(count_at(w, "responses")), true) + level_cells(object_at(w, "by_level")) +
               td(badge(level_of(w))) + td(places) + "</tr>\n";
    }
    return out + std::string(table_close) + "</section>\n";
}

std::string groups_section(const json::object& report) {
    const auto& groups = object_at(report, "groups");
    if (groups.empty()) return {};
    const auto& prev_places = object_at(object_at(report, "previous"), "by_place");
    std::string out = "<section><h2>Places</h2>\n";
    out += table_open({"Place", "Responses", "1", "2", "3", "4", "Practices reporting",
                       "Level", "Last month"});
    for (const auto& [id, v] : object_at(groups, "places")) {
        if (!v.is_object()) continue;
        const auto& g = v.get_object();
        out += "<tr>" + td(html_escape(id)) + td(std::to_string(count_at(g, "responses")), true) +
               level_cells(object_at(g, "by_level")) +
               td(std::to_string(count_at(g, "practices_reporting")) + " of " +
                      std::to_string(count_at(g, "practices")),
                  true) +
               td(badge(level_of(g))) + td(std::to_string(count_at(prev_places, id)), true) + "</tr>\n";
    }
    out += std::string(table_close) + "</section>\n<section><h2>Primary care networks</h2>\n";
    out += table_open({"PCN", "Place", "Responses", "1", "2", "3", "4",
                       "Practices reporting", "Level"});
    for (const auto& [name, v] : object_at(groups, "pcns")) {
        if (!v.is_object()) continue;
        const auto& g = v.get_object();
        out += "<tr>" + td(html_escape(name)) + td(html_escape(member_text(g, "place"))) +
               td(std::to_string(count_at(g, "responses")), true) + level_cells(object_at(g, "by_level")) +
               td(std::to_string(count_at(g, "practices_reporting")) + " of " +
                      std::to_string(count_at(g, "practices")),
                  true) +
               td(badge(level_of(g))) + "</tr>\n";
    }
    return out + std::string(table_close) + "</section>\n";
}

std::string themes_section(const json::object& report, const theme_names& names) {
    std::string out = "<section><h2>Themes</h2>\n";
    const auto& themes = array_at(report, "themes");
    if (themes.empty()) return out + "<p>No themes reported.</p>\n</section>\n";
    std::map<std::string, std::int64_t> before;
    for (const auto& t : array_at(object_at(report, "previous"), "themes"))
        if (t.is_object()) before[member_text(t.get_object(), "theme")] = count_at(t.get_object(), "count");
    const bool compare = report.contains("previous");
    out += compare ? table_open({"Theme", "Reports", "Last month"})
                   : table_open({"Theme", "Reports"});
    for (const auto& t : themes) {
        if (!t.is_object()) continue;
        const auto id = member_text(t.get_object(), "theme");
        out += "<tr>" + td(html_escape(names.name(id))) +
               td(member_text(t.get_object(), "count"), true);
        if (compare) out += td(std::to_string(before[id]), true);
        out += "</tr>\n";
    }
    return out + std::string(table_close) + "</section>\n";
}

std::string_view a4_css() {
    return "@page{size:A4;margin:14mm 12mm}\n"
           "svg.chart{max-width:40rem;display:block}\n"
           "@media print{section.keep{break-inside:avoid}h1{font-size:16pt}"
           "table{font-size:9pt}th,td{padding:.15rem .3rem}}\n";
}

} // namespace opel::summary
