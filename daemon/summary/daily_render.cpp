// Rendering a built daily summary. Each form reads only the summary object
// (never the live state), so a summary fetched next week shows exactly what
// was published. Every text that came from a practice, the practices file or
// an alert is escaped here; nothing is trusted to be markup-free.
#include "summary/daily_render.hpp"

#include "core/opel_level.hpp"
#include "core/time.hpp"
#include "summary/page.hpp"
#include "summary/json_read.hpp"
#include "summary/text.hpp"

#include <algorithm>
#include <map>

namespace opel::summary {

namespace {

namespace json = boost::json;

std::optional<int> level_at(const json::object& o) {
    const auto* v = o.if_contains("level");
    if (!v || !v->is_int64()) return std::nullopt;
    return static_cast<int>(v->get_int64());
}

std::string joined(const json::array& a, std::string_view sep) {
    std::string out;
    for (const auto& v : a) {
        if (!out.empty()) out += sep;
        out += text_of(&v);
    }
    return out;
}

// An RFC 3339 instant as a reader wants it: local time when a zone is given.
std::string show_time(const std::string& rfc3339, const date::time_zone* tz) {
    const auto t = core::parse_time(rfc3339);
    if (!t) return rfc3339;
    const auto minutes = date::floor<std::chrono::minutes>(*t);
    if (!tz) return date::format("%a %d %b %Y %H:%M UTC", minutes);
    return date::format("%a %d %b %Y %H:%M %Z", date::make_zoned(tz, minutes));
}

std::string cell(const std::string& text, bool numeric = false) {
    return std::string(numeric ? "<td class=\"n\">" : "<td>") + html_escape(text) + "</td>";
}

std::string banner(const json::object& system) {
    const auto level = level_at(system);
    const auto cls = level ? "l" + std::to_string(core::level_of(*level).level) : std::string("l0");
    std::string out = "<div class=\"banner " + cls + "\">System: ";
    if (level) {
        const auto& info = core::level_of(*level);
        out += "OPEL " + std::to_string(info.level) + " " + html_escape(info.name);
    } else {
        out += "no level: too few reporting";
    }
    out += "<small>" + member_text(system, "reporting") + " of " +
           member_text(system, "practices") + " practices reporting; " +
           member_text(system, "stale") + " stale";
    if (level) out += ". Support: " + html_escape(core::level_of(*level).support);
    return out + "</small></div>\n";
}

std::string group_table(std::string_view title, std::string_view what, const json::object& groups) {
    std::string out = "<h2>" + html_escape(title) + "</h2>\n";
    out += table_open({what, "Level", "1", "2", "3", "4", "Reporting", "Stale"});
    for (const auto& [name, v] : groups) {
        if (!v.is_object()) continue;
        const auto& g = v.get_object();
        const auto& counts = object_at(g, "counts");
        // A group the group-level rule gives no level reads so, never as a colour.
        const auto level = level_at(g);
        out += "<tr>" + cell(std::string(name)) + "<td>" +
               (level ? level_badge(level) : "<span class=\"level l0\">too few reporting</span>") +
               "</td>";
        for (const char* k : {"1", "2", "3", "4"})
            out += cell(member_text(counts, k), true);
        out += cell(member_text(g, "reporting") + " of " + member_text(g, "practices"), true);
        out += cell(member_text(g, "stale"), true) + "</tr>\n";
    }
    return out + std::string(table_close);
}

// "Locum cover: agreed; PCN support: offered" (actions by the rules file's
// names), or "none" for a practice under pressure with nothing open.
std::string support_text(const json::array& items, const theme_names& actions) {
    std::string out;
    for (const auto& v : items) {
        if (!v.is_object()) continue;
        const auto action = actions.name(member_text(v.get_object(), "action"));
        auto state = member_text(v.get_object(), "state");
        std::replace(state.begin(), state.end(), '_', ' ');
        out += (out.empty() ? "" : "; ") + action + ": " + state;
    }
    return out.empty() ? "none" : out;
}

std::string pressured_table(const json::array& rows, const date::time_zone* tz,
                            const theme_names& names, const theme_names& actions) {
    std::string out = "<h2>Practices under pressure (OPEL 3 or 4)</h2>\n";
    if (rows.empty()) return out + "<p>None.</p>\n";
    out += table_open(
        {"Practice", "PCN", "Place", "Level", "Themes", "Note", "Support requested", "Support",
         "Reported"});
    for (const auto& v : rows) {
        if (!v.is_object()) continue;
        const auto& p = v.get_object();
        out += "<tr>" + cell(member_text(p, "code") + " " + member_text(p, "name")) +
               cell(member_text(p, "pcn")) + cell(member_text(p, "place")) + "<td>" +
               level_badge(level_at(p)) + "</td>" + cell(names.joined(array_at(p, "themes"), ", ")) +
               "<td class=\"note\">" + html_escape(member_text(p, "note")) + "</td>" +
               "<td class=\"note\">" + html_escape(member_text(p, "support_requested")) + "</td>" +
               cell(support_text(array_at(p, "support"), actions)) +
               cell(show_time(member_text(p, "reported_at"), tz)) + "</tr>\n";
    }
    return out + std::string(table_close);
}

std::string themes_table(const json::array& themes, const theme_names& names) {
    std::string out = "<h2>Themes</h2>\n";
    if (themes.empty()) return out + "<p>No themes in current reports.</p>\n";
    out += table_open({"Theme", "Practices"});
    for (const auto& v : themes)
        if (v.is_object())
            out += "<tr>" + cell(names.name(member_text(v.get_object(), "theme"))) +
                   cell(member_text(v.get_object(), "count"), true) + "</tr>\n";
    return out + std::string(table_close);
}

// A list of practice codes, each with its name from the summary's rows.
std::string code_list(const json::array& codes, const std::map<std::string, std::string>& names,
                      std::string_view none) {
    if (codes.empty()) return "<p>" + html_escape(none) + "</p>\n";
    std::string out = "<ul>\n";
    for (const auto& v : codes) {
        const auto code = text_of(&v);
        const auto it = names.find(code);
        out += "<li>" + html_escape(code);
        if (it != names.end()) out += " " + html_escape(it->second);
        out += "</li>\n";
    }
    return out + "</ul>\n";
}

/// "As of 09:00 on Mon 07 Dec 2026 (GMT)": the moment every figure pictures.
std::string as_of_line(const json::object& summary, const date::time_zone* tz) {
    auto at = member_text(summary, "as_of");
    if (at.empty())
        at = member_text(summary, "generated_at"); // a summary stored before as_of existed
    const auto t = core::parse_time(at);
    if (!t)
        return "As of " + at;
    const auto minutes = date::floor<std::chrono::minutes>(*t);
    if (!tz)
        return date::format("As of %H:%M on %a %d %b %Y (UTC)", minutes);
    return date::format("As of %H:%M on %a %d %b %Y (%Z)", date::make_zoned(tz, minutes));
}

std::string alerts_list(const json::array& alerts, const date::time_zone* tz) {
    std::string out = "<h2>Open alerts</h2>\n";
    if (alerts.empty()) return out + "<p>None.</p>\n";
    out += "<ul>\n";
    for (const auto& v : alerts) {
        if (!v.is_object()) continue;
        const auto& a = v.get_object();
        out += "<li>" + level_badge(level_at(a)) + " " + html_escape(member_text(a, "title")) +
               " (" + html_escape(member_text(a, "rule")) + ", " +
               html_escape(member_text(a, "scope")) + " " + html_escape(member_text(a, "subject")) +
               ", " + html_escape(member_text(a, "state")) + " since " +
               html_escape(show_time(member_text(a, "created_at"), tz)) + ")</li>\n";
    }
    return out + "</ul>\n";
}

} // namespace

std::string render_daily_json(const boost::json::object& summary) {
    return json::serialize(summary);
}

std::string render_daily_csv(const boost::json::object& summary, const theme_names& themes) {
    std::vector<std::string> head{"code",   "name",        "pcn",   "place",
                                  "level",  "level_name",  "stale", "reported_at",
                                  "themes", "note",        "support_requested"};
    // A column per theme, headed by the name a person reads; the ids stay in
    // `themes` for scripts.
    for (const auto& entry : themes.entries)
        head.push_back(entry.second);
    std::string out = csv_row(head);
    for (const auto& v : array_at(summary, "practices")) {
        if (!v.is_object()) continue;
        const auto& p = v.get_object();
        const auto level = level_at(p);
        const auto& carried = array_at(p, "themes");
        std::vector<std::string> row{
            member_text(p, "code"), member_text(p, "name"), member_text(p, "pcn"),
            member_text(p, "place"), member_text(p, "level"),
            level ? std::string(core::level_of(*level).name) : std::string(),
            member_text(p, "stale"), member_text(p, "reported_at"), joined(carried, ";"),
            member_text(p, "note"), member_text(p, "support_requested")};
        for (const auto& entry : themes.entries)
            row.push_back(std::find(carried.begin(), carried.end(),
                                    json::value(entry.first)) != carried.end()
                              ? "yes"
                              : "");
        out += csv_row(row);
    }
    return out;
}

std::string group_text(std::string_view name, const json::object& g) {
    const auto level = level_at(g);
    std::string out(name);
    out += ": ";
    out += level ? "OPEL " + std::to_string(*level) + " " + std::string(core::level_of(*level).name)
                 : std::string("too few reporting");
    const auto& counts = object_at(g, "counts");
    out += " (" + member_text(g, "reporting") + " of " + member_text(g, "practices") +
           " reporting; at 1/2/3/4: " + member_text(counts, "1") + "/" +
           member_text(counts, "2") + "/" + member_text(counts, "3") + "/" +
           member_text(counts, "4") + ")";
    return out;
}

std::string render_daily_text(const boost::json::object& summary, const date::time_zone* tz,
                              const theme_names& names) {
    std::string out = "OPEL daily summary " + member_text(summary, "date") + "\n";
    out += as_of_line(summary, tz) + "\n\n";
    out += group_text("System", object_at(summary, "system")) + "\n\nPlaces\n";
    for (const auto& [name, v] : object_at(summary, "by_place"))
        if (v.is_object()) out += "  " + group_text(name, v.get_object()) + "\n";
    out += "\nPCNs\n";
    for (const auto& [name, v] : object_at(summary, "by_pcn"))
        if (v.is_object()) out += "  " + group_text(name, v.get_object()) + "\n";
    out += "\nPractices under pressure (OPEL 3 or 4)\n";
    const auto& pressured = array_at(summary, "pressured");
    if (pressured.empty()) out += "  none\n";
    for (const auto& v : pressured) {
        if (!v.is_object()) continue;
        const auto& p = v.get_object();
        out += "  OPEL " + member_text(p, "level") + "  " + member_text(p, "code") + " " +
               member_text(p, "name") + " (" + member_text(p, "pcn") + ", " +
               member_text(p, "place") + ")";
        const auto themes = names.joined(array_at(p, "themes"), ", ");
        if (!themes.empty()) out += ": " + themes;
        out += "\n";
    }
    out += "\nThemes\n";
    const auto& themes = array_at(summary, "themes");
    if (themes.empty()) out += "  none\n";
    for (const auto& v : themes)
        if (v.is_object())
            out += "  " + names.name(member_text(v.get_object(), "theme")) + ": " +
                   member_text(v.get_object(), "count") + "\n";
    out += "\nNot reporting in the last 7 days: " +
           std::to_string(array_at(summary, "not_reporting").size()) + "\n";
    const auto& alerts = array_at(summary, "open_alerts");
    out += "\nOpen alerts (" + std::to_string(alerts.size()) + ")\n";
    if (alerts.empty()) out += "  none\n";
    for (const auto& v : alerts) {
        if (!v.is_object()) continue;
        const auto& a = v.get_object();
        out += "  OPEL " + member_text(a, "level") + "  " + member_text(a, "subject") + "  " +
               member_text(a, "title");
        const auto* by = a.if_contains("inhibited_by");
        if (by && by->is_int64()) out += "  [inhibited by " + std::to_string(by->get_int64()) + "]";
        out += "\n";
    }
    return out;
}

std::string render_daily_html(const boost::json::object& summary, const date::time_zone* tz,
                              const theme_names& themes, const theme_names& actions) {
    std::map<std::string, std::string> names;
    for (const auto& v : array_at(summary, "practices"))
        if (v.is_object())
            names[member_text(v.get_object(), "code")] = member_text(v.get_object(), "name");
    std::string out = page_head("OPEL daily summary " + member_text(summary, "date"));
    out += "<p class=\"asof\">" + html_escape(as_of_line(summary, tz)) + "</p>\n";
    out += "<p class=\"meta\">Generated " +
           html_escape(show_time(member_text(summary, "generated_at"), tz));
    const auto* late = summary.if_contains("late");
    if (late && late->is_bool() && late->get_bool())
        out += ". <strong>Late:</strong> built when the service restarted after missing its time";
    out += ".</p>\n" + banner(object_at(summary, "system"));
    out += group_table("Places", "Place", object_at(summary, "by_place"));
    out += group_table("PCNs", "PCN", object_at(summary, "by_pcn"));
    out += pressured_table(array_at(summary, "pressured"), tz, themes, actions);
    out += themes_table(array_at(summary, "themes"), themes);
    out += "<h2>Not reporting in the last 7 days</h2>\n" +
           code_list(array_at(summary, "not_reporting"), names, "Every practice has reported.");
    const auto& changes = object_at(summary, "changes");
    out += "<h2>Escalated since the previous summary</h2>\n" +
           code_list(array_at(changes, "escalated"), names, "None.");
    out += "<h2>De-escalated since the previous summary</h2>\n" +
           code_list(array_at(changes, "de_escalated"), names, "None.");
    out += alerts_list(array_at(summary, "open_alerts"), tz);
    return out + page_tail();
}

} // namespace opel::summary
