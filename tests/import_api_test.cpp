// Integration tests of POST /v1/import and the monthly report over HTTP:
// counts and per-line errors, re-import stores nothing twice, history raises
// no alerts and publishes nothing but the rules and status see it, and the
// generated LLR history gives DOMAIN.md's published Nov/Dec 2022 figures.
#include "store/sqlite.hpp"
#include "support/test_daemon.hpp"

#include <fstream>
#include <sstream>

using namespace opel;
using namespace opel::test;

namespace {

const std::map<std::string, std::string> ndjson{{"Content-Type", "application/x-ndjson"}};

http_answer import(test_daemon& d, const std::string& body,
                   const std::string& token = admin_token) {
    auto c = d.client();
    return c.post("/v1/import", body, token, ndjson);
}

std::size_t stored_count(test_daemon& d) {
    auto c = d.client();
    return c.get("/v1/submissions?limit=10000", admin_token)
        .json()
        .at("submissions")
        .as_array()
        .size();
}

std::int64_t event_count(const test_daemon& d) {
    store::sqlite::db db(d.dir() / "opeld.db", false, true);
    auto st = db.prepare("SELECT count(*) FROM events");
    st.step();
    return st.int64(0);
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const std::string two_good =
    R"({"practice":"C82001","level":2,"themes":["workforce"],"reported_at":"2026-11-20T09:30:00Z"})"
    "\n"
    R"({"practice":"C82002","level":3,"note":"busy","reported_at":"2026-11-23T11:00:00+01:00"})"
    "\n";

} // namespace

TEST_CASE("import stores the good lines and names each bad one by its line", "[import]") {
    test_daemon d;
    const std::string body =
        R"({"practice":"C82001","level":2,"reported_at":"2026-11-20T09:30:00Z"})"
        "\n"
        R"({"practice":"C82001","level":7,"reported_at":"2026-11-20T09:30:00Z"})"
        "\n"
        R"({"practice":"Z99999","level":2,"reported_at":"2026-11-20T09:30:00Z"})"
        "\r\n"
        "\n"
        R"({"practice":"C82002","level":1})"
        "\n"
        "not json\n"
        R"({"practice":"C82002","level":1,"reported_at":"2026-12-20T09:30:00Z"})"
        "\n"
        R"({"practice":"C82003","level":4,"themes":["ari"],"reported_at":"2026-11-21T08:00:00Z"})";
    const auto a = import(d, body);
    REQUIRE(a.status == 200);
    const auto v = a.json();
    CHECK(v.at("imported") == 2);
    CHECK(v.at("duplicates") == 0);
    const auto& rejected = v.at("rejected").as_array();
    REQUIRE(rejected.size() == 5);
    std::vector<std::int64_t> lines;
    for (const auto& r : rejected) {
        lines.push_back(r.at("line").as_int64());
        CHECK(!r.at("error").as_string().empty());
    }
    CHECK(lines == std::vector<std::int64_t>{2, 3, 5, 6, 7});
    CHECK(rejected[1].at("field") == "practice");
    CHECK(rejected[2].at("field") == "reported_at");
    CHECK(rejected[4].at("code") == "reported_in_future");
    CHECK(stored_count(d) == 2);
}

TEST_CASE("re-importing the same lines stores nothing twice", "[import]") {
    test_daemon d;
    REQUIRE(import(d, two_good).json().at("imported") == 2);
    const auto again = import(d, two_good + two_good).json();
    CHECK(again.at("imported") == 0);
    CHECK(again.at("duplicates") == 4);
    CHECK(again.at("rejected").as_array().empty());
    CHECK(stored_count(d) == 2);
    auto c = d.client();
    const auto list = c.get("/v1/submissions", team_token).json().at("submissions");
    CHECK(list.at(0).at("practice") == "C82002"); // newest first, by reported_at
}

TEST_CASE("import is for admins, in NDJSON", "[import]") {
    test_daemon d;
    CHECK(import(d, two_good, team_token).status == 403);
    CHECK(import(d, two_good, practice_token).status == 403);
    CHECK(import(d, two_good, "").status == 401);
    auto c = d.client();
    const auto json = c.post("/v1/import", two_good, admin_token);
    CHECK(json.status == 415);
    CHECK(json.json().at("error").at("code") == "unsupported_media_type");
    CHECK(c.post("/v1/import", two_good, admin_token,
                 {{"Content-Type", "application/x-ndjson; charset=utf-8"}})
              .status == 200);
    CHECK(stored_count(d) == 2);
}

TEST_CASE("history raises no alerts and publishes nothing, but status and rules see it",
          "[import]") {
    test_daemon d;
    std::string body;
    for (const auto* code : {"C82001", "C82002", "C82003", "C82004"})
        body += std::string(R"({"practice":")") + code +
                R"(","level":4,"themes":["ari"],"reported_at":"2026-11-25T08:00:00Z"})" + "\n";
    REQUIRE(import(d, body).json().at("imported") == 4);
    auto c = d.client();
    CHECK(c.get("/v1/alerts?state=all", team_token).json().at("alerts").as_array().empty());
    CHECK(event_count(d) == 0);
    CHECK(c.get("/v1/events", team_token).json().at("events").as_array().empty());
    const auto status = c.get("/v1/status", team_token).json();
    CHECK(status.at("system").at("counts").at("4") == 4);
    // A live report after the history is judged with it: 1 after 4 is no rise,
    // but a live 4 after an imported 1 is a rapid rise.
    REQUIRE(import(d, R"({"practice":"C82005","level":1,"reported_at":"2026-11-25T08:00:00Z"})")
                .status == 200);
    const auto live =
        c.post("/v1/submissions", R"({"practice":"C82001","level":4})", practice_token);
    REQUIRE(live.status == 201);
    const auto rise = c.post("/v1/submissions", R"({"practice":"C82005","level":4})", admin_token);
    REQUIRE(rise.status == 201);
    const auto alerts = c.get("/v1/alerts", team_token).json();
    bool rapid = false;
    for (const auto& a : alerts.at("alerts").as_array())
        rapid |= a.at("rule") == "practice-rapid-rise" && a.at("subject") == "C82005";
    CHECK(rapid);
}

TEST_CASE("the LLR history gives the published November and December 2022 figures",
          "[import][summary_api]") {
    test_daemon d;
    const auto history = read_file(std::filesystem::path(OPEL_SOURCE_DIR) /
                                   "tests/data/history/llr-2022-11-12.ndjson");
    REQUIRE(history.size() < 64 * 1024); // one request under the default body limit
    const auto a = import(d, history);
    REQUIRE(a.status == 200);
    CHECK(a.json().at("rejected").as_array().empty());
    CHECK(event_count(d) == 0);
    auto c = d.client();
    const auto nov = c.get("/v1/reports/monthly?month=2022-11", team_token).json();
    CHECK(nov.at("responses") == 159);
    CHECK(nov.at("by_place").at("county") == 109);
    CHECK(nov.at("by_level") == boost::json::object{{"1", 76}, {"2", 70}, {"3", 12}, {"4", 1}});
    CHECK(nov.at("themes").at(0).at("theme") == "it_systems");
    CHECK(nov.at("themes").at(1).at("theme") == "workforce");
    const auto dec = c.get("/v1/reports/monthly?month=2022-12&format=json", control_token).json();
    CHECK(dec.at("responses") == 139);
    CHECK(dec.at("by_place").at("county") == 93);
    CHECK(dec.at("by_level") == boost::json::object{{"1", 37}, {"2", 66}, {"3", 33}, {"4", 3}});
    CHECK(dec.at("themes").at(0).at("theme") == "workforce");
    CHECK(dec.at("themes").at(1).at("theme") == "high_demand");
    // The group-level rule over the month's responses gives the published
    // system levels: 2 in November 2022, 3 in December 2022.
    CHECK(nov.at("levels").at("system") == 2);
    CHECK(dec.at("levels").at("system") == 3);
    // The whole file again: nothing stored twice, so the figures hold.
    CHECK(import(d, history).json().at("imported") == 0);
    CHECK(c.get("/v1/reports/monthly?month=2022-11", team_token).json().at("responses") == 159);
}

TEST_CASE("the monthly report's forms and parameters", "[summary_api]") {
    test_daemon d;
    REQUIRE(import(d, two_good).status == 200);
    auto c = d.client();
    const auto csv = c.get("/v1/reports/monthly?month=2026-11&format=csv", team_token);
    CHECK(csv.status == 200);
    CHECK(csv.header("Content-Type") == "text/csv; charset=utf-8");
    CHECK(csv.header("Content-Disposition") == "attachment; filename=\"opel-monthly-2026-11.csv\"");
    CHECK(csv.body.find("responses,,2\r\n") != std::string::npos);
    const auto html = c.get("/v1/reports/monthly?month=2026-11&format=html", team_token);
    CHECK(html.status == 200);
    CHECK(html.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(html.body.find("<svg") != std::string::npos);
    const auto now = c.get("/v1/reports/monthly", team_token).json(); // this month by default
    CHECK(now.at("month") == "2026-11");
    CHECK(now.at("responses") == 2);
    CHECK(c.get("/v1/reports/monthly?month=2026-13", team_token).status == 400);
    CHECK(c.get("/v1/reports/monthly?month=2026-11&format=xml", team_token).status == 400);
    CHECK(c.get("/v1/reports/monthly?month=2026-11", practice_token).status == 403);
}

TEST_CASE("an import over the general body limit, framed by Content-Length, is taken",
          "[import][limits]") {
    // Over 64 KiB, well within the route's 4 MiB: Beast must not refuse the
    // Content-Length before the route's own limit is known.
    test_daemon d;
    std::string body;
    for (int day = 1; body.size() < 111 * 1024; day = day % 28 + 1)
        body += R"({"practice":"C82001","level":2,"note":")" + std::string(400, 'n') +
                R"(","reported_at":"2026-11-)" + (day < 10 ? "0" : "") + std::to_string(day) +
                "T09:30:00Z\"}\n";
    const auto a = import(d, body);
    CHECK(a.status == 200);
    // The general limit still holds everywhere else.
    auto c = d.client();
    CHECK(c.post("/v1/submissions", body, admin_token).status == 413);
}
