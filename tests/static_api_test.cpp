// The dashboard's static routes against the real app: the pages and their
// files are served from the binary without a token, with a CSP and an ETag,
// and no spelling of a path reaches anything that was not embedded.
#include "http/static_api.hpp"
#include "support/test_daemon.hpp"

using namespace opel::test;
namespace http = boost::beast::http;

TEST_CASE("GET / answers the dashboard page without a token", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.get("/");
    REQUIRE(a.status == 200);
    CHECK(a.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(a.body.find("<title>") != std::string::npos);
    CHECK(a.body.find("OPEL") != std::string::npos);
    CHECK(a.body.find("/static/dashboard.js") != std::string::npos);
}

TEST_CASE("GET /report answers the practice page", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.get("/report");
    REQUIRE(a.status == 200);
    CHECK(a.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(a.body.find("/static/report.js") != std::string::npos);
}

TEST_CASE("GET /wall answers the wall, whose files are all embedded", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.get("/wall");
    REQUIRE(a.status == 200);
    CHECK(a.header("Content-Type") == "text/html; charset=utf-8");
    CHECK(a.body.find("/static/wall.js") != std::string::npos);
    // Read-only: the page itself has no form or input.
    CHECK(a.body.find("<input") == std::string::npos);
    CHECK(a.body.find("<form") == std::string::npos);
    for (const char* file : {"/static/wall.js", "/static/wall.css", "/static/live.js",
                             "/static/chime.js", "/static/charts.js", "/static/alerts_view.js",
                             "/static/practice_view.js"})
        CHECK(c.get(file).status == 200);
}

TEST_CASE("static files are served with their content types", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto js = c.get("/static/dashboard.js");
    REQUIRE(js.status == 200);
    CHECK(js.header("Content-Type") == "text/javascript; charset=utf-8");
    CHECK(c.get("/static/report.js").status == 200);
    const auto css = c.get("/static/style.css");
    REQUIRE(css.status == 200);
    CHECK(css.header("Content-Type") == "text/css; charset=utf-8");
    CHECK(c.get("/static/index.html").header("Content-Type") == "text/html; charset=utf-8");
}

TEST_CASE("every page and file carries a CSP restricted to 'self'", "[static]") {
    test_daemon d;
    auto c = d.client();
    for (const std::string target : {"/", "/report", "/static/dashboard.js", "/static/style.css"}) {
        INFO(target);
        const auto a = c.get(target);
        REQUIRE(a.status == 200);
        const auto policy = a.header("Content-Security-Policy");
        CHECK(policy.find("default-src 'self'") != std::string::npos);
        CHECK(policy.find("script-src 'self'") != std::string::npos);
        CHECK(policy.find("unsafe-inline") == std::string::npos);
        CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
        CHECK(a.header("X-Content-Type-Options") == "nosniff");
        CHECK(a.header("Cache-Control") == "no-cache");
        CHECK_FALSE(a.header("ETag").empty());
    }
}

TEST_CASE("a matching If-None-Match gets 304 and no body", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto first = c.get("/static/dashboard.js");
    const auto etag = first.header("ETag");
    REQUIRE_FALSE(etag.empty());
    const auto again = c.call(http::verb::get, "/static/dashboard.js", {}, {},
                              {{"If-None-Match", "\"other\", W/" + etag}});
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    const auto changed =
        c.call(http::verb::get, "/static/dashboard.js", {}, {}, {{"If-None-Match", "\"other\""}});
    CHECK(changed.status == 200);
    CHECK(changed.body == first.body);
}

TEST_CASE("HEAD of a file answers its headers only", "[static]") {
    test_daemon d;
    auto c = d.client();
    // Raw, because a HEAD answer's Content-Length announces a body that never comes.
    const auto out =
        c.raw("HEAD /static/style.css HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(out.starts_with("HTTP/1.1 200"));
    const auto end = out.find("\r\n\r\n");
    REQUIRE(end != std::string::npos);
    CHECK(out.size() == end + 4);
}

TEST_CASE("nothing outside the embedded files is reachable", "[static]") {
    test_daemon d;
    for (const std::string target :
         {"/static/..%2F..%2Fetc%2Fpasswd", "/static/../../etc/passwd",
          "/static/%2e%2e/%2e%2e/etc/passwd", "/static/%2e%2e", "/static/..", "/static/.",
          "/static/", "/static", "/static/%2Fetc%2Fpasswd", "/static//etc/passwd",
          "/static/dashboard.js%00.png", "/static/..%5C..%5Cetc%5Cpasswd", "/static/nope.js",
          "/static/DASHBOARD.JS", "/static/opeld.yaml", "/static/..%2Fopeld.yaml", "/etc/passwd",
          "/index.html/.."}) {
        INFO(target);
        // A fresh connection each time: a refused target may close the connection.
        auto c = d.client();
        const auto a = c.get(target);
        CHECK((a.status == 404 || a.status == 400));
        CHECK(a.body.find("root:") == std::string::npos);
    }
}

TEST_CASE("the static routes answer GET only", "[static]") {
    test_daemon d;
    auto c = d.client();
    const auto a = c.post("/", "{}");
    CHECK(a.status == 405);
    CHECK(a.header("Allow") == "GET");
}

TEST_CASE("content types follow the extension", "[static]") {
    using opel::http::content_type_for;
    CHECK(content_type_for("/a.html") == "text/html; charset=utf-8");
    CHECK(content_type_for("/a.js") == "text/javascript; charset=utf-8");
    CHECK(content_type_for("/a.css") == "text/css; charset=utf-8");
    CHECK(content_type_for("/a.svg") == "image/svg+xml");
    CHECK(content_type_for("/a.png") == "image/png");
    CHECK(content_type_for("/a.ico") == "image/x-icon");
    CHECK(content_type_for("/a.json") == "application/json");
    CHECK(content_type_for("/a.yaml") == "application/octet-stream");
    CHECK(content_type_for("/js") == "application/octet-stream");
}
