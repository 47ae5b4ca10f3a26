// The daily summary: every figure of the contract's object, and its csv and
// html forms (quoting, escaping, colour, order).
#include "summary/daily.hpp"
#include "summary/daily_render.hpp"
#include "summary/text.hpp"

#include "core/time.hpp"

#include <catch2/catch.hpp>

using namespace opel;
using std::chrono::hours;
namespace json = boost::json;

namespace {

core::time_point at(const char* rfc3339) {
    const auto t = core::parse_time(rfc3339);
    REQUIRE(t);
    return *t;
}

const std::vector<core::practice> practices{
    {"C82001", "Alpha Surgery", "North PCN", "city"},
    {"C82002", "Beta Medical Centre", "North PCN", "city"},
    {"C82003", "Gamma Practice", "South PCN", "county"},
    {"C82004", "Delta Health", "South PCN", "county"},
    {"C82005", "Epsilon Surgery", "East PCN", "county"},
    {"C82006", "Zeta & Sons <Oakham>", "Rutland PCN", "rutland"},
};

core::submission report(const char* code, int level, std::vector<std::string> themes,
                        const char* when) {
    core::submission s;
    s.practice = code;
    s.level = level;
    s.themes = std::move(themes);
    s.reported_at = s.received_at = at(when);
    return s;
}

summary::summary_input day() {
    summary::summary_input in;
    in.date = date::year{2026} / 11 / 30;
    in.generated_at = at("2026-11-30T09:00:00Z");
    in.practices = practices;
    auto a = report("C82001", 4, {"workforce", "it_systems"}, "2026-11-30T08:00:00Z");
    a.note = "Two GPs off, \"urgent\" <b>help</b>\nsecond line";
    a.support_requested = "=locum cover";
    auto e = report("C82005", 2, {"high_demand"}, "2026-11-23T09:00:00Z"); // exactly 7 days
    in.latest = {a,
                 report("C82002", 3, {"workforce"}, "2026-11-28T10:00:00Z"),
                 report("C82003", 1, {"telephony"}, "2026-11-22T08:59:59Z"),
                 std::nullopt,
                 e,
                 std::nullopt};
    return in;
}

json::object built() {
    return summary::build_daily(day());
}

std::vector<std::string> strings(const json::value& v) {
    std::vector<std::string> out;
    for (const auto& s : v.as_array())
        out.emplace_back(s.as_string());
    return out;
}

json::object previous_with(std::vector<std::tuple<const char*, int, bool>> rows) {
    json::array a;
    for (const auto& [code, level, stale] : rows)
        a.push_back(json::object{{"code", code}, {"level", level}, {"stale", stale}});
    return json::object{{"date", "2026-11-27"}, {"practices", std::move(a)}};
}

} // namespace

TEST_CASE("the summary carries its date, time and lateness", "[summary]") {
    auto in = day();
    in.late = true;
    const auto s = summary::build_daily(in);
    CHECK(s.at("date") == "2026-11-30");
    CHECK(s.at("generated_at") == "2026-11-30T09:00:00.000000Z");
    CHECK(s.at("late") == true);
    CHECK(built().at("late") == false);
    for (const char* key : {"system", "by_place", "by_pcn", "pressured", "themes", "not_reporting",
                            "changes", "open_alerts"})
        CHECK(s.contains(key));
}

TEST_CASE("the system block counts standing practices, stale and silent apart", "[summary]") {
    const auto s = built();
    const auto& sys = s.at("system").as_object();
    CHECK(sys.at("level") == 4); // one of three at 4 is over 5%
    CHECK(sys.at("counts") == json::object{{"1", 0}, {"2", 1}, {"3", 1}, {"4", 1}});
    CHECK(sys.at("practices") == 6);
    CHECK(sys.at("reporting") == 3);
    CHECK(sys.at("stale") == 1);
}

TEST_CASE("every place and PCN is named, with zero counts where nobody reported", "[summary]") {
    const auto s = built();
    const auto& places = s.at("by_place").as_object();
    REQUIRE(places.size() == 3);
    // Two and one standing at a level: too few for a level (min_reporting 3).
    CHECK(places.at("city").at("level").is_null());
    CHECK(places.at("city").at("reporting") == 2);
    CHECK(places.at("county").at("level").is_null());
    CHECK(places.at("county").at("practices") == 3);
    CHECK(places.at("county").at("stale") == 1);
    CHECK(places.at("rutland").at("level").is_null());
    CHECK(places.at("rutland").at("counts") ==
          json::object{{"1", 0}, {"2", 0}, {"3", 0}, {"4", 0}});
    const auto& pcns = s.at("by_pcn").as_object();
    CHECK(pcns.size() == 4);
    CHECK(pcns.at("Rutland PCN").at("practices") == 1);
    CHECK(pcns.at("South PCN").at("level").is_null());
    CHECK(pcns.at("North PCN").at("counts").at("3") == 1);
}

TEST_CASE("pressured lists practices at 3 or 4, most pressured first, with their words",
          "[summary]") {
    const auto s = built();
    const auto& p = s.at("pressured").as_array();
    REQUIRE(p.size() == 2);
    const auto& a = p[0].as_object();
    CHECK(a.at("code") == "C82001");
    CHECK(a.at("name") == "Alpha Surgery");
    CHECK(a.at("pcn") == "North PCN");
    CHECK(a.at("place") == "city");
    CHECK(a.at("level") == 4);
    CHECK(strings(a.at("themes")) == std::vector<std::string>{"workforce", "it_systems"});
    CHECK(a.at("note") == "Two GPs off, \"urgent\" <b>help</b>\nsecond line");
    CHECK(a.at("support_requested") == "=locum cover");
    CHECK(a.at("reported_at") == "2026-11-30T08:00:00.000000Z");
    CHECK(p[1].at("code") == "C82002");
    CHECK(p[1].at("note").is_null());
}

TEST_CASE("a stale level 3 or 4 is not pressured", "[summary]") {
    auto in = day();
    in.latest[2] = report("C82003", 4, {}, "2026-11-20T09:00:00Z");
    const auto s = summary::build_daily(in);
    CHECK(s.at("pressured").as_array().size() == 2);
    CHECK(s.at("system").at("counts").at("4") == 1);
}

TEST_CASE("themes count the standing reports, most first then by id", "[summary]") {
    const auto s = built();
    const auto& t = s.at("themes").as_array();
    REQUIRE(t.size() == 3); // telephony is in a stale report
    CHECK(t[0] == json::object{{"theme", "workforce"}, {"count", 2}});
    CHECK(t[1] == json::object{{"theme", "high_demand"}, {"count", 1}});
    CHECK(t[2] == json::object{{"theme", "it_systems"}, {"count", 1}});
}

TEST_CASE("not reporting: silent over 7 days, never-reported included", "[summary]") {
    CHECK(strings(built().at("not_reporting")) ==
          std::vector<std::string>{"C82003", "C82004", "C82006"});
}

TEST_CASE("changes compare standing levels with the previous summary", "[summary]") {
    auto in = day();
    in.previous = previous_with(
        {{"C82001", 3, false}, {"C82002", 4, false}, {"C82003", 1, false}, {"C82005", 1, true}});
    const auto c = summary::build_daily(in).at("changes");
    CHECK(strings(c.at("escalated")) == std::vector<std::string>{"C82001"});
    CHECK(strings(c.at("de_escalated")) == std::vector<std::string>{"C82002"});
}

TEST_CASE("with no previous summary nothing has changed", "[summary]") {
    const auto c = built().at("changes");
    CHECK(c.at("escalated").as_array().empty());
    CHECK(c.at("de_escalated").as_array().empty());
    auto in = day();
    in.previous = json::object{{"practices", "not an array"}};
    CHECK(summary::build_daily(in).at("changes").at("escalated").as_array().empty());
}

TEST_CASE("a summary reads back the standing levels it was built with", "[summary]") {
    auto in = day();
    in.previous = built();
    const auto levels = summary::standing_levels(*in.previous);
    CHECK(levels ==
          std::vector<std::pair<std::string, int>>{{"C82001", 4}, {"C82002", 3}, {"C82005", 2}});
    const auto c = summary::build_daily(in).at("changes");
    CHECK(c.at("escalated").as_array().empty());
    CHECK(c.at("de_escalated").as_array().empty());
}

TEST_CASE("open alerts are carried as the alert objects", "[summary]") {
    auto in = day();
    in.open_alerts.push_back(json::object{{"id", 7},
                                          {"rule", "practice-level-4"},
                                          {"level", 4},
                                          {"title", "C82001 at <4>"},
                                          {"state", "firing"}});
    const auto s = summary::build_daily(in);
    REQUIRE(s.at("open_alerts").as_array().size() == 1);
    CHECK(s.at("open_alerts").at(0).at("id") == 7);
    CHECK(summary::render_daily_html(s).find("C82001 at &lt;4&gt;") != std::string::npos);
}

TEST_CASE("an empty day: nobody reported", "[summary]") {
    auto in = day();
    in.latest.assign(practices.size(), std::nullopt);
    const auto s = summary::build_daily(in);
    CHECK(s.at("system").at("level").is_null());
    CHECK(s.at("system").at("reporting") == 0);
    CHECK(s.at("system").at("practices") == 6);
    CHECK(s.at("by_place").as_object().size() == 3);
    CHECK(s.at("pressured").as_array().empty());
    CHECK(s.at("themes").as_array().empty());
    CHECK(s.at("not_reporting").as_array().size() == 6);
    const auto html = summary::render_daily_html(s);
    CHECK(html.find("no level") != std::string::npos);
    CHECK(summary::render_daily_csv(s).find(
              "C82006,Zeta & Sons <Oakham>,Rutland PCN,rutland,,,false,,,,") != std::string::npos);
}

TEST_CASE("a practices file with no practices still builds", "[summary]") {
    summary::summary_input in;
    in.date = date::year{2026} / 11 / 30;
    const auto s = summary::build_daily(in);
    CHECK(s.at("system").at("practices") == 0);
    CHECK(s.at("by_place").as_object().empty());
    CHECK(summary::render_daily_csv(s).find("\r\n") == summary::render_daily_csv(s).size() - 2);
}

TEST_CASE("json form is the object itself", "[summary]") {
    const auto s = built();
    CHECK(json::parse(summary::render_daily_json(s)) == s);
}

TEST_CASE("csv: header, one row per practice, RFC 4180 quoting", "[summary]") {
    const auto csv = summary::render_daily_csv(built());
    CHECK(csv.rfind("code,name,pcn,place,level,level_name,stale,reported_at,themes,note,"
                    "support_requested\r\n",
                    0) == 0);
    CHECK(csv.find("C82001,Alpha Surgery,North PCN,city,4,Extreme pressure,false,"
                   "2026-11-30T08:00:00.000000Z,\"workforce;it_systems\","
                   "\"Two GPs off, \"\"urgent\"\" <b>help</b>\nsecond line\",'=locum cover\r\n") !=
          std::string::npos);
    CHECK(csv.find("C82003,Gamma Practice,South PCN,county,1,Low pressure,true,") !=
          std::string::npos);
    // Records: the header and six practices (the note's newline is inside quotes).
    std::size_t records = 0;
    for (std::size_t i = csv.find("\r\n"); i != std::string::npos; i = csv.find("\r\n", i + 2))
        ++records;
    CHECK(records == 7);
}

TEST_CASE("csv fields: quotes doubled, formulas defused, plain text left alone", "[summary]") {
    CHECK(summary::csv_field("plain") == "plain");
    CHECK(summary::csv_field("") == "");
    CHECK(summary::csv_field("a,b") == "\"a,b\"");
    CHECK(summary::csv_field("say \"hi\"") == "\"say \"\"hi\"\"\"");
    CHECK(summary::csv_field("line\r\nbreak") == "\"line\r\nbreak\"");
    CHECK(summary::csv_field("=SUM(A1)") == "'=SUM(A1)");
    CHECK(summary::csv_field("+44 116") == "'+44 116");
    CHECK(summary::csv_field("-2") == "'-2");
    CHECK(summary::csv_field("@cmd,x") == "\"'@cmd,x\"");
    CHECK(summary::csv_row({"a", "b,c"}) == "a,\"b,c\"\r\n");
}

TEST_CASE("csv fields: a formula behind blanks is defused, semicolons and tabs are quoted",
          "[summary]") {
    CHECK(summary::csv_field(" =1+1") == "' =1+1");
    CHECK(summary::csv_field("   +44") == "'   +44");
    CHECK(summary::csv_field("\n-2") == "\"'\n-2\"");
    CHECK(summary::csv_field(" \t@SUM(A1)") == "\"' \t@SUM(A1)\"");
    CHECK(summary::csv_field("a;b") == "\"a;b\"");
    CHECK(summary::csv_field("a\tb") == "\"a\tb\"");
    CHECK(summary::csv_field("=x;y") == "\"'=x;y\"");
    // Blanks with nothing after them, and signs inside the text, are left alone.
    CHECK(summary::csv_field("   ") == "   ");
    CHECK(summary::csv_field("1 - 2 = -1") == "1 - 2 = -1");
    // Each row keeps its number of cells whatever the separator a reader splits on.
    CHECK(summary::csv_row({"a;b", "c\td", " =e"}) == "\"a;b\",\"c\td\",' =e\r\n");
}

TEST_CASE("html escapes every text from practices", "[summary]") {
    auto in = day();
    in.latest[5] = report("C82006", 3, {}, "2026-11-30T07:00:00Z");
    const auto html = summary::render_daily_html(summary::build_daily(in));
    CHECK(html.find("&lt;b&gt;help&lt;/b&gt;") != std::string::npos);
    CHECK(html.find("&quot;urgent&quot;") != std::string::npos);
    CHECK(html.find("Zeta &amp; Sons &lt;Oakham&gt;") != std::string::npos);
    CHECK(html.find("<b>help") == std::string::npos);
    CHECK(html.find("<Oakham>") == std::string::npos);
    CHECK(summary::html_escape("<a href='x'>&\"") == "&lt;a href=&#39;x&#39;&gt;&amp;&quot;");
}

TEST_CASE("html shows the system level in its colour first, with the number", "[summary]") {
    const auto html = summary::render_daily_html(built());
    const auto banner = html.find("<div class=\"banner l4\">System: OPEL 4 Extreme pressure");
    REQUIRE(banner != std::string::npos);
    CHECK(html.find(".l4{background:#c62828;color:#fff}") != std::string::npos);
    CHECK(html.find(".l2{background:#f9d71c;color:#000}") != std::string::npos);
    // Then places, PCNs, pressured practices, themes, not reporting.
    const auto places = html.find("<h2>Places</h2>");
    const auto pcns = html.find("<h2>PCNs</h2>");
    const auto pressured = html.find("<h2>Practices under pressure");
    const auto themes = html.find("<h2>Themes</h2>");
    const auto silent = html.find("<h2>Not reporting");
    CHECK(banner < places);
    CHECK(places < pcns);
    CHECK(pcns < pressured);
    CHECK(pressured < themes);
    CHECK(themes < silent);
    CHECK(html.find("OPEL 3 Severe pressure") != std::string::npos);
    CHECK(html.find("<li>C82004 Delta Health</li>") != std::string::npos);
}

TEST_CASE("html is self-contained and reads on a phone and on paper", "[summary]") {
    const auto html = summary::render_daily_html(built());
    CHECK(html.rfind("<!doctype html>", 0) == 0);
    CHECK(html.find("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">") !=
          std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);
    CHECK(html.find("@media (max-width") != std::string::npos);
    CHECK(html.find("<script") == std::string::npos);
    CHECK(html.find("<link") == std::string::npos);
    CHECK(html.find("src=") == std::string::npos);
    CHECK(html.find("@import") == std::string::npos);
    CHECK(html.find("url(") == std::string::npos);
}

TEST_CASE("html shows times in the configured zone", "[summary]") {
    auto in = day();
    in.generated_at = at("2026-07-01T08:00:00Z");
    in.latest.assign(practices.size(), std::nullopt);
    const auto s = summary::build_daily(in);
    CHECK(summary::render_daily_html(s, date::locate_zone("Europe/London")).find("09:00 BST") !=
          std::string::npos);
    CHECK(summary::render_daily_html(s).find("08:00 UTC") != std::string::npos);
    in.late = true;
    CHECK(summary::render_daily_html(summary::build_daily(in)).find("Late:") != std::string::npos);
}

TEST_CASE("a late summary pictures its fire instant, and says when it was built", "[summary]") {
    auto in = day();
    in.late = true;
    in.generated_at = at("2026-12-01T15:00:00Z"); // built the next afternoon
    in.as_of = at("2026-11-30T09:00:00Z");
    const auto s = summary::build_daily(in);
    CHECK(s.at("generated_at") == "2026-12-01T15:00:00.000000Z");
    CHECK(s.at("late") == true);
    // Measured from the fire instant, C82005's 7-day-old report still stands.
    CHECK(s.at("system").at("reporting") == 3);
    in.as_of.reset();
    CHECK(summary::build_daily(in).at("system").at("reporting") == 2);
}

TEST_CASE("the latest report per practice as of an instant", "[summary]") {
    std::vector<core::submission> subs{
        report("C82001", 2, {}, "2026-11-29T10:00:00Z"),
        report("C82001", 4, {}, "2026-11-30T10:00:00Z"), // after as_of
        report("C82001", 3, {}, "2026-11-30T08:00:00Z"),
        report("C82003", 1, {}, "2026-11-01T08:00:00Z"),
        report("C82999", 4, {}, "2026-11-30T08:00:00Z"), // not in the file
        report("C82002", 1, {}, "2026-11-30T08:00:00Z"),
        report("C82002", 2, {}, "2026-11-30T08:00:00Z"), // same time, stored later
    };
    for (std::size_t i = 0; i < subs.size(); ++i)
        subs[i].id = static_cast<std::int64_t>(i + 1);
    const auto latest = summary::latest_per_practice(practices, subs, at("2026-11-30T09:00:00Z"));
    REQUIRE(latest.size() == practices.size());
    REQUIRE(latest[0]);
    CHECK(latest[0]->level == 3);
    REQUIRE(latest[1]);
    CHECK(latest[1]->level == 2);
    CHECK(latest[2]->level == 1);
    CHECK_FALSE(latest[3]);
}

TEST_CASE("a summary date is YYYY-MM-DD and a real date", "[summary]") {
    CHECK(summary::parse_date("2026-11-30") == date::year{2026} / 11 / 30);
    CHECK(summary::parse_date("2028-02-29") == date::year{2028} / 2 / 29);
    for (const char* bad : {"2026-02-29", "2026-13-01", "2026-11-31", "2026-1-30", "2026/11/30",
                            "2026-11-30T", "", "20261130xx", "2026-11-3a"})
        CHECK_FALSE(summary::parse_date(bad));
}

// --- one vocabulary: theme names from the rules file --------------------------

namespace {

const summary::theme_names names{{{"workforce", "Workforce (sickness, vacancies)"},
                                  {"it_systems", "IT systems"},
                                  {"telephony", "Telephony & the <8am> rush"},
                                  {"high_demand", "High demand"}}};

} // namespace

TEST_CASE("html and text show themes by their names, ids stay in json", "[summary]") {
    const auto s = built();
    const auto html = summary::render_daily_html(s, nullptr, names);
    // The pressured row and the themes table both read names.
    CHECK(html.find("<td>Workforce (sickness, vacancies), IT systems</td>") != std::string::npos);
    CHECK(html.find("<tr><td>Workforce (sickness, vacancies)</td><td class=\"n\">2</td></tr>") !=
          std::string::npos);
    CHECK(html.find(">workforce<") == std::string::npos);
    const auto text = summary::render_daily_text(s, date::locate_zone("Europe/London"), names);
    CHECK(text.find(": Workforce (sickness, vacancies), IT systems\n") != std::string::npos);
    CHECK(text.find("  Workforce (sickness, vacancies): 2\n") != std::string::npos);
    CHECK(text.find("As of 09:00 on Mon 30 Nov 2026 (GMT)") != std::string::npos);
    CHECK(summary::render_daily_json(s).find("\"theme\":\"workforce\"") != std::string::npos);
    // A theme the vocabulary does not name is shown by its id.
    CHECK(names.name("no_such_theme") == "no_such_theme");
}

TEST_CASE("csv: a column per theme headed by its name, the ids kept", "[summary]") {
    const auto csv = summary::render_daily_csv(built(), names);
    // A name with a comma is quoted like any other field.
    CHECK(csv.rfind("code,name,pcn,place,level,level_name,stale,reported_at,themes,note,"
                    "support_requested,\"Workforce (sickness, vacancies)\",IT systems,"
                    "Telephony & the <8am> rush,High demand\r\n",
                    0) == 0);
    // C82001 carries workforce and it_systems; C82003 telephony; C82004 nothing.
    CHECK(csv.find("\"workforce;it_systems\",\"Two GPs off") != std::string::npos);
    CHECK(csv.find("'=locum cover,yes,yes,,\r\n") != std::string::npos);
    CHECK(csv.find("C82003,Gamma Practice,South PCN,county,1,Low pressure,true,"
                   "2026-11-22T08:59:59.000000Z,telephony,,,,,yes,\r\n") != std::string::npos);
    CHECK(csv.find("C82004,Delta Health,South PCN,county,,,false,,,,,,,,\r\n") !=
          std::string::npos);
}
