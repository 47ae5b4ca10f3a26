// The monthly report: month bounds in the configured zone, the aggregation,
// its csv and html forms, and the published LLR volumes of November and
// December 2022 reproduced from the made-up history (scripts/gen-history).
#include "summary/monthly.hpp"
#include "summary/monthly_render.hpp"
#include "summary/monthly_trend.hpp"
#include "summary/text.hpp"

#include "core/calendar.hpp"
#include "core/time.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <sstream>

using namespace opel;
namespace json = boost::json;
using date::year;

namespace {

const date::time_zone* london() {
    return date::locate_zone("Europe/London");
}

core::time_point at(const char* rfc3339) {
    const auto t = core::parse_time(rfc3339);
    REQUIRE(t);
    return *t;
}

std::string fixture(const char* name) {
    return std::string(OPEL_SOURCE_DIR) + "/tests/data/history/" + name;
}

struct history_line {
    std::string reported_at_text;
    core::submission submission;
};

// The ndjson fixture, one submission per line, read as the import would.
std::vector<history_line> read_history() {
    std::ifstream in(fixture("llr-2022-11-12.ndjson"));
    REQUIRE(in);
    std::vector<history_line> out;
    std::string line;
    while (std::getline(in, line)) {
        const auto o = json::parse(line).as_object();
        history_line h;
        h.reported_at_text = std::string(o.at("reported_at").as_string());
        auto& s = h.submission;
        s.practice = std::string(o.at("practice").as_string());
        s.level = static_cast<int>(o.at("level").as_int64());
        for (const auto& t : o.at("themes").as_array())
            s.themes.emplace_back(t.as_string());
        if (const auto* note = o.if_contains("note")) s.note = std::string(note->as_string());
        const auto t = core::parse_time(h.reported_at_text);
        REQUIRE(t);
        s.reported_at = s.received_at = *t;
        out.push_back(std::move(h));
    }
    return out;
}

std::vector<core::submission> history() {
    std::vector<core::submission> out;
    for (auto& h : read_history())
        out.push_back(std::move(h.submission));
    return out;
}

// practices.tsv: code, place, pcn, name after a header row.
std::vector<core::practice> demo_practices() {
    std::ifstream in(fixture("practices.tsv"));
    REQUIRE(in);
    std::vector<core::practice> out;
    std::string line;
    std::getline(in, line);
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        core::practice p;
        std::getline(fields, p.code, '\t');
        std::getline(fields, p.place, '\t');
        std::getline(fields, p.pcn, '\t');
        std::getline(fields, p.name, '\t');
        out.push_back(std::move(p));
    }
    return out;
}

json::object month_of(date::year_month m) {
    static const auto subs = history();
    static const auto practices = demo_practices();
    return summary::build_monthly(m, london(), subs, practices);
}

core::submission report(const char* code, int level, const char* when,
                        std::vector<std::string> themes = {}) {
    core::submission s;
    s.practice = code;
    s.level = level;
    s.themes = std::move(themes);
    s.reported_at = s.received_at = at(when);
    return s;
}

const std::vector<core::practice> small{
    {"C82001", "Alpha Surgery", "North PCN", "city"},
    {"C82002", "Beta Surgery", "South PCN", "county"},
    {"C82003", "Gamma Surgery", "Rutland PCN", "rutland"},
};

} // namespace

TEST_CASE("November 2022 reproduces the published volumes", "[summary]") {
    const auto r = month_of(year{2022} / 11);
    CHECK(r.at("month") == "2022-11");
    CHECK(r.at("responses") == 159);
    CHECK(r.at("by_place").at("county") == 109);
    CHECK(r.at("by_level") == json::object{{"1", 76}, {"2", 70}, {"3", 12}, {"4", 1}});
    const auto& themes = r.at("themes").as_array();
    REQUIRE(themes.size() >= 3);
    CHECK(themes[0].at("theme") == "it_systems");
    CHECK(themes[1].at("theme") == "workforce");
    CHECK(themes[1].at("count").as_int64() > themes[2].at("count").as_int64());
    // Made-up figures the generator chose; they pin the fixture.
    CHECK(r.at("by_place") == json::object{{"city", 46}, {"county", 109}, {"rutland", 4}});
    CHECK(r.at("practices_reporting") == 73);
}

TEST_CASE("December 2022 reproduces the published volumes", "[summary]") {
    const auto r = month_of(year{2022} / 12);
    CHECK(r.at("month") == "2022-12");
    CHECK(r.at("responses") == 139);
    CHECK(r.at("by_place").at("county") == 93);
    CHECK(r.at("by_level") == json::object{{"1", 37}, {"2", 66}, {"3", 33}, {"4", 3}});
    const auto& themes = r.at("themes").as_array();
    REQUIRE(themes.size() >= 3);
    CHECK(themes[0].at("theme") == "workforce");
    CHECK(themes[1].at("theme") == "high_demand");
    CHECK(themes[1].at("count").as_int64() > themes[2].at("count").as_int64());
    CHECK(r.at("by_place") == json::object{{"city", 43}, {"county", 93}, {"rutland", 3}});
    CHECK(r.at("practices_reporting") == 69);
}

TEST_CASE("the group-level rule gives the published months' system levels, 2 and 3",
          "[summary]") {
    // November: 13 of 159 at 3 or 4 (8%), 83 at 2 or above (52%): level 2.
    CHECK(month_of(year{2022} / 11).at("levels").at("system") == 2);
    // December: 36 of 139 at 3 or 4 (26%, from at least two): level 3.
    CHECK(month_of(year{2022} / 12).at("levels").at("system") == 3);
    // Rutland's 4 responses in November are enough for a level; every place
    // and PCN of the file is named.
    const auto nov = month_of(year{2022} / 11);
    CHECK(nov.at("levels").at("places").as_object().size() == 3);
    CHECK(!nov.at("levels").at("pcns").as_object().empty());
}

TEST_CASE("monthly levels: too few responses give no level, and list sizes can weigh them",
          "[summary]") {
    const std::vector<core::practice> ps{
        {"C82001", "Alpha Surgery", "North PCN", "city", 20000},
        {"C82002", "Beta Surgery", "North PCN", "city", 2000},
        {"C82003", "Gamma Surgery", "North PCN", "city", 2000},
    };
    const std::vector<core::submission> subs{report("C82001", 4, "2026-11-02T10:00:00Z"),
                                             report("C82002", 1, "2026-11-03T10:00:00Z")};
    auto r = summary::build_monthly(year{2026} / 11, london(), subs, ps);
    CHECK(r.at("levels").at("system").is_null()); // 2 responses: fewer than 3
    auto three = subs;
    three.push_back(report("C82003", 4, "2026-11-04T10:00:00Z"));
    CHECK(summary::build_monthly(year{2026} / 11, london(), three, ps).at("levels").at("system") ==
          4);
}

TEST_CASE("the history holds reports outside the two months, which count in neither", "[summary]") {
    const auto all = history();
    const auto nov = month_of(year{2022} / 11).at("responses").as_int64();
    const auto dec = month_of(year{2022} / 12).at("responses").as_int64();
    CHECK(static_cast<std::int64_t>(all.size()) > nov + dec);
    CHECK(month_of(year{2022} / 10).at("responses").as_int64() +
              month_of(year{2023} / 1).at("responses").as_int64() ==
          static_cast<std::int64_t>(all.size()) - nov - dec);
}

TEST_CASE("the history is on working days, in core hours, some at a month's edge", "[summary]") {
    core::calendar cal;
    cal.holidays = {year{2022} / 12 / 26, year{2022} / 12 / 27, year{2023} / 1 / 2};
    int misleading = 0;
    for (const auto& h : read_history()) {
        const auto local = london()->to_local(h.submission.reported_at);
        const auto day = date::floor<date::days>(local);
        const auto time = local - day;
        CHECK(cal.is_working_day(date::sys_days{day.time_since_epoch()}));
        CHECK(time >= std::chrono::hours{8});
        CHECK(time <= std::chrono::hours{18} + std::chrono::minutes{30});
        // Lines whose text names another month than the one they fall in:
        // reading the date off the text would misfile them.
        const auto local_month = date::format("%Y-%m", day);
        if (h.reported_at_text.substr(0, 7) != local_month) ++misleading;
    }
    CHECK(misleading >= 3);
}

TEST_CASE("month bounds are local midnights: BST months start at 23:00 UTC", "[summary]") {
    const auto [apr_from, apr_to] = summary::month_bounds(year{2026} / 4, london());
    CHECK(core::format_time(apr_from) == "2026-03-31T23:00:00.000000Z");
    CHECK(core::format_time(apr_to) == "2026-04-30T23:00:00.000000Z");
    // March starts in GMT and ends in BST; October the other way round.
    const auto [mar_from, mar_to] = summary::month_bounds(year{2026} / 3, london());
    CHECK(core::format_time(mar_from) == "2026-03-01T00:00:00.000000Z");
    CHECK(mar_to == apr_from);
    const auto [oct_from, oct_to] = summary::month_bounds(year{2026} / 10, london());
    CHECK(core::format_time(oct_from) == "2026-09-30T23:00:00.000000Z");
    CHECK(core::format_time(oct_to) == "2026-11-01T00:00:00.000000Z");
    const auto [dec_from, dec_to] = summary::month_bounds(year{2022} / 12, london());
    CHECK(core::format_time(dec_to) == "2023-01-01T00:00:00.000000Z");
    CHECK(dec_to - dec_from == date::days{31});
}

TEST_CASE("a report at 00:30 BST on 1 April belongs to April", "[summary]") {
    const std::vector<core::submission> subs{report("C82001", 2, "2026-03-31T23:30:00Z"),
                                             report("C82002", 3, "2026-03-31T22:59:59.999999Z")};
    CHECK(summary::build_monthly(year{2026} / 4, london(), subs, small).at("responses") == 1);
    CHECK(summary::build_monthly(year{2026} / 3, london(), subs, small).at("responses") == 1);
    CHECK(summary::build_monthly(year{2026} / 4, london(), subs, small).at("by_place").at("city") ==
          1);
}

TEST_CASE("a month includes its start instant and excludes the next month's", "[summary]") {
    const std::vector<core::submission> subs{report("C82001", 1, "2026-11-01T00:00:00Z"),
                                             report("C82001", 1, "2026-12-01T00:00:00Z")};
    CHECK(summary::build_monthly(year{2026} / 11, london(), subs, small).at("responses") == 1);
}

TEST_CASE("monthly counts by level, place, theme and practice", "[summary]") {
    const std::vector<core::submission> subs{
        report("C82001", 1, "2026-11-02T09:00:00Z", {"workforce"}),
        report("C82001", 3, "2026-11-03T09:00:00Z", {"workforce", "it_systems"}),
        report("C82002", 4, "2026-11-03T10:00:00Z", {"it_systems", "ari"}),
        report("C82999", 2, "2026-11-04T10:00:00Z", {"ari"}), // no longer in the file
    };
    const auto r = summary::build_monthly(year{2026} / 11, london(), subs, small);
    CHECK(r.at("responses") == 4);
    CHECK(r.at("by_level") == json::object{{"1", 1}, {"2", 1}, {"3", 1}, {"4", 1}});
    CHECK(r.at("by_place") == json::object{{"city", 2}, {"county", 1}, {"rutland", 0}});
    CHECK(r.at("practices_reporting") == 3);
    CHECK(r.at("themes") == json::array{json::object{{"theme", "ari"}, {"count", 2}},
                                        json::object{{"theme", "it_systems"}, {"count", 2}},
                                        json::object{{"theme", "workforce"}, {"count", 2}}});
}

TEST_CASE("an empty month names every place with zero", "[summary]") {
    const auto r = summary::build_monthly(year{2026} / 2, london(), {}, small);
    CHECK(r.at("responses") == 0);
    CHECK(r.at("by_place") == json::object{{"city", 0}, {"county", 0}, {"rutland", 0}});
    CHECK(r.at("themes").as_array().empty());
    CHECK(r.at("practices_reporting") == 0);
    CHECK(summary::render_monthly_html(r).find("No themes reported.") != std::string::npos);
}

TEST_CASE("month text is YYYY-MM exactly", "[summary]") {
    CHECK(summary::parse_month("2022-11") == year{2022} / 11);
    CHECK(summary::parse_month("0001-01") == year{1} / 1);
    for (const char* bad :
         {"2022-13", "2022-00", "2022-1", "2022/11", "2022-11-01", "", "abcd-ef", " 2022-11"})
        CHECK_FALSE(summary::parse_month(bad));
}

TEST_CASE("monthly csv: one figure per row", "[summary]") {
    const auto csv = summary::render_monthly_csv(month_of(year{2022} / 11));
    CHECK(csv.rfind("section,key,value\r\nmonth,,2022-11\r\nresponses,,159\r\n", 0) == 0);
    CHECK(csv.find("by_level,1,76\r\nby_level,2,70\r\nby_level,3,12\r\nby_level,4,1\r\n") !=
          std::string::npos);
    CHECK(csv.find("by_place,county,109\r\n") != std::string::npos);
    CHECK(csv.find("theme,it_systems,") != std::string::npos);
    CHECK(csv.find("practices_reporting,,73\r\n") != std::string::npos);
}

TEST_CASE("monthly html: a bar chart by level in the OPEL colours, self-contained", "[summary]") {
    const auto html = summary::render_monthly_html(month_of(year{2022} / 12));
    CHECK(html.rfind("<!doctype html>", 0) == 0);
    CHECK(html.find("<meta name=\"viewport\"") != std::string::npos);
    CHECK(html.find("<svg") != std::string::npos);
    std::size_t bars = 0;
    for (auto i = html.find("<rect class=\"bar\""); i != std::string::npos;
         i = html.find("<rect class=\"bar\"", i + 1))
        ++bars;
    CHECK(bars == 4);
    for (const char* hex : {"#2e7d32", "#f9d71c", "#f28c00", "#c62828"})
        CHECK(html.find(std::string("fill=\"") + hex + "\"") != std::string::npos);
    CHECK(html.find("OPEL 3: 33") != std::string::npos);
    CHECK(html.find(">OPEL 4</text>") != std::string::npos);
    CHECK(html.find("<td>county</td><td class=\"n\">93</td>") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);
}

TEST_CASE("monthly html escapes place and theme names", "[summary]") {
    const std::vector<core::practice> odd{{"C82001", "A", "P", "<city>"}};
    const std::vector<core::submission> subs{report("C82001", 2, "2026-11-02T09:00:00Z", {"a&b"})};
    const auto html =
        summary::render_monthly_html(summary::build_monthly(year{2026} / 11, london(), subs, odd));
    CHECK(html.find("&lt;city&gt;") != std::string::npos);
    CHECK(html.find("a&amp;b") != std::string::npos);
    CHECK(html.find("<city>") == std::string::npos);
}

// --- the board paper: places, PCNs, weeks, the month before, theme names ----

namespace {

json::object board_of(date::year_month m) {
    static const auto subs = history();
    static const auto practices = demo_practices();
    auto r = summary::build_monthly(m, london(), subs, practices);
    summary::add_board_figures(r, m, london(), subs, practices);
    return r;
}

} // namespace

TEST_CASE("board figures: every place and PCN, weeks cut at Mondays, the month before",
          "[summary]") {
    const auto r = board_of(year{2022} / 12);
    // The contract's fields are untouched.
    CHECK(r.at("responses") == 139);
    const auto& places = r.at("groups").at("places").as_object();
    CHECK(places.size() == 3);
    CHECK(places.at("county").at("responses") == 93);
    CHECK(places.at("county").at("by_level").as_object().size() == 4);
    CHECK(places.at("county").at("level") == r.at("levels").at("places").at("county"));
    std::int64_t pcn_total = 0;
    for (const auto& [name, g] : r.at("groups").at("pcns").as_object()) {
        pcn_total += g.at("responses").as_int64();
        CHECK(g.at("practices").as_int64() >= g.at("practices_reporting").as_int64());
        CHECK(!g.at("place").as_string().empty());
    }
    CHECK(pcn_total == 139);
    // December 2022 began on a Thursday: 1-4, 5-11, 12-18, 19-25, 26-31.
    const auto& weeks = r.at("weeks").as_array();
    REQUIRE(weeks.size() == 5);
    CHECK(weeks[0].at("start") == "2022-12-01");
    CHECK(weeks[0].at("end") == "2022-12-04");
    CHECK(weeks[1].at("start") == "2022-12-05");
    CHECK(weeks[4].at("end") == "2022-12-31");
    std::int64_t week_total = 0;
    for (const auto& w : weeks) {
        week_total += w.at("responses").as_int64();
        CHECK(w.at("places").as_object().size() == 3);
    }
    CHECK(week_total == 139);
    // The month before is November's own report.
    CHECK(r.at("previous").at("month") == "2022-11");
    CHECK(r.at("previous").at("responses") == 159);
    CHECK(r.at("previous").at("levels").at("system") == 2);
}

TEST_CASE("a week's level is the group-level rule over that week's responses", "[summary]") {
    // November 2026 began on a Sunday: its first week is that one day.
    const std::vector<core::submission> subs{
        report("C82001", 4, "2026-11-02T09:00:00Z"), report("C82002", 4, "2026-11-03T09:00:00Z"),
        report("C82003", 3, "2026-11-04T09:00:00Z"), report("C82001", 1, "2026-11-10T09:00:00Z")};
    auto r = summary::build_monthly(year{2026} / 11, london(), subs, small);
    summary::add_board_figures(r, year{2026} / 11, london(), subs, small);
    const auto& weeks = r.at("weeks").as_array();
    REQUIRE(weeks.size() == 6);
    CHECK(weeks[0].at("start") == "2026-11-01");
    CHECK(weeks[0].at("end") == "2026-11-01");
    CHECK(weeks[0].at("level").is_null()); // nobody: too few
    CHECK(weeks[1].at("responses") == 3);
    CHECK(weeks[1].at("level") == 4);
    CHECK(weeks[2].at("level").is_null()); // one response
    CHECK(weeks[5].at("start") == "2026-11-30");
    CHECK(r.at("previous").at("responses") == 0);
}

TEST_CASE("monthly html: a board paper on A4 with themes by name", "[summary]") {
    const summary::theme_names names{{{"workforce", "Workforce (sickness, vacancies)"},
                                      {"high_demand", "High demand"}}};
    const auto html = summary::render_monthly_html(board_of(year{2022} / 12), names);
    CHECK(html.find("<h1>OPEL monthly report: December 2022</h1>") != std::string::npos);
    CHECK(html.find("@page{size:A4") != std::string::npos);
    // This month against the last, with the change and both system levels.
    const auto compare = html.find("<h2>This month against the last</h2>");
    REQUIRE(compare != std::string::npos);
    CHECK(html.find("<th>December 2022</th><th>November 2022</th>", compare) != std::string::npos);
    CHECK(html.find("<td>Responses</td><td class=\"n\">139</td><td class=\"n\">159</td>"
                    "<td class=\"n\">-20</td>") != std::string::npos);
    CHECK(html.find("OPEL 3 Severe pressure</span></td><td><span class=\"level l2\">OPEL 2 "
                    "Moderate pressure</span></td><td class=\"n\">higher</td>") !=
          std::string::npos);
    // The weekly trend: stacked bars in the OPEL colours, then its table with years.
    CHECK(html.find("<h2>Week by week</h2>") != std::string::npos);
    CHECK(html.find("<rect class=\"wk\"") != std::string::npos);
    CHECK(html.find("<td>1 Dec 2022 to 4 Dec 2022</td>") != std::string::npos);
    // A table per place and per PCN.
    CHECK(html.find("<h2>Places</h2>") != std::string::npos);
    CHECK(html.find("<td>county</td><td class=\"n\">93</td>") != std::string::npos);
    CHECK(html.find("<h2>Primary care networks</h2>") != std::string::npos);
    // Themes by name, with last month's count beside.
    CHECK(html.find("<tr><td>Workforce (sickness, vacancies)</td>") != std::string::npos);
    CHECK(html.find("<th>Last month</th>") != std::string::npos);
    CHECK(html.find(">workforce<") == std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
}

TEST_CASE("monthly csv: the board figures, themes and support by name", "[summary]") {
    auto r = board_of(year{2022} / 12);
    summary::add_support(r, {}, {});
    r["support"] = json::array{json::object{{"action", "locum_cover"}, {"count", 2}},
                               json::object{{"action", "retired_action"}, {"count", 1}}};
    const summary::theme_names themes{{{"workforce", "Workforce (sickness, vacancies)"}}};
    const summary::theme_names actions{{{"locum_cover", "Locum cover"}}};
    const auto csv = summary::render_monthly_csv(r, themes, actions);
    const auto has = [&](const std::string& row) {
        INFO(row);
        CHECK(csv.find("\r\n" + row + "\r\n") != std::string::npos);
    };
    // Themes and support as people read them; an action no longer in the
    // rules file by its id.
    has("theme,\"Workforce (sickness, vacancies)\"," +
        std::to_string(r.at("themes").at(0).at("count").as_int64()));
    has("support,Locum cover,2");
    has("support,retired_action,1");
    // The month's level and each place's.
    has("level,system,3");
    has("level,county," + summary::text_of(&r.at("levels").at("places").at("county")));
    // A row per figure of each place and PCN.
    has("place.responses,county,93");
    has("place.by_level.4,county," +
        summary::text_of(&r.at("groups").at("places").at("county").at("by_level").at("4")));
    has("place.practices_reporting,county," +
        summary::text_of(&r.at("groups").at("places").at("county").at("practices_reporting")));
    const auto& pcn = *r.at("groups").at("pcns").as_object().begin();
    has("pcn.place," + std::string(pcn.key()) + "," +
        std::string(pcn.value().at("place").as_string()));
    has("pcn.responses," + std::string(pcn.key()) + "," +
        summary::text_of(&pcn.value().at("responses")));
    // Each week, keyed by its first day.
    has("week.end,2022-12-01,2022-12-04");
    has("week.responses,2022-12-05," +
        summary::text_of(&r.at("weeks").at(1).at("responses")));
    has("week.place_level.county,2022-12-05," +
        summary::text_of(&r.at("weeks").at(1).at("places").at("county")));
    // The month before.
    has("previous.month,,2022-11");
    has("previous.responses,,159");
    has("previous.level,system,2");
    has("previous.by_level,4,1");
    has("previous.by_place,county,109");
}
