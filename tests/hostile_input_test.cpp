// Hostile input against a real daemon: a table of about 100 bad requests, each sent as
// raw bytes on its own connection, each with the answer it must get (status
// and error code in the contract's error shape); after each one the daemon
// must still serve, and after them all nothing may have been stored. The
// slow-client cases rely on the daemon's configured 1-second deadlines: the
// test blocks until the daemon closes, it never sleeps.
#include "support/descriptors.hpp"
#include "support/log_capture.hpp"
#include "support/test_daemon.hpp"

#include <boost/asio/write.hpp>
#include <zmq.hpp>

#include <poll.h>

using namespace opel::test;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

const std::string ok_body = R"({"practice":"C82001","level":3,"themes":["workforce"]})";

/// One answer read off the wire.
struct wire_answer {
    int status = 0;
    std::string body;
    std::string error_code; ///< error.code of a JSON error body, or empty
};

/// A connection that sends raw bytes, half-closes and reads every answer
/// until the daemon closes.
class raw_connection {
public:
    explicit raw_connection(std::uint16_t port) : socket_(ioc_) {
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        socket_.set_option(boost::asio::ip::tcp::no_delay(true));
    }
    /// Writes `bytes` (stopping quietly if the daemon has closed already).
    void send(const std::string& bytes) {
        beast::error_code ec;
        boost::asio::write(socket_, boost::asio::buffer(bytes), ec);
    }
    /// Sends `bytes` one at a time, one every 100 ms, and stops early when
    /// the daemon answers or closes. The pause is the pacing a slow client
    /// has, not a wait for the daemon. Returns how many bytes were sent
    /// before the daemon spoke or closed (all of them if it never did).
    std::size_t trickle(const std::string& bytes) {
        for (std::size_t i = 0; i < bytes.size(); ++i) {
            send(bytes.substr(i, 1));
            pollfd p{socket_.native_handle(), POLLIN, 0};
            if (::poll(&p, 1, 100) > 0)
                return i + 1;
        }
        return bytes.size();
    }
    /// Ends the client's side.
    void finish() {
        beast::error_code ec;
        socket_.shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    }
    /// Reads what has come (blocking until something has).
    std::string read_some() {
        char buf[8192];
        beast::error_code ec;
        const auto n = socket_.read_some(boost::asio::buffer(buf), ec);
        return std::string(buf, ec ? 0 : n);
    }
    /// Reads until the daemon closes the connection.
    std::string read_all() {
        std::string out;
        char buf[8192];
        beast::error_code ec;
        for (;;) {
            const auto n = socket_.read_some(boost::asio::buffer(buf), ec);
            if (ec) break;
            out.append(buf, n);
        }
        return out;
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
};

/// Every HTTP answer in `wire`, in order.
std::vector<wire_answer> parse_answers(const std::string& wire) {
    std::vector<wire_answer> out;
    std::string_view rest = wire;
    while (!rest.empty()) {
        bhttp::response_parser<bhttp::string_body> p;
        p.eager(true);
        beast::error_code ec;
        std::size_t used = 0;
        while (!p.is_done() && used < rest.size()) {
            const auto n = p.put(boost::asio::buffer(rest.data() + used, rest.size() - used), ec);
            if (ec || n == 0) break;
            used += n;
        }
        if (!p.is_done()) break;
        rest.remove_prefix(used);
        wire_answer a;
        a.status = static_cast<int>(p.get().result_int());
        a.body = p.get().body();
        boost::system::error_code jec;
        const auto v = boost::json::parse(a.body, jec);
        if (!jec && v.is_object() && v.as_object().contains("error")) {
            const auto& e = v.at("error");
            if (e.is_object() && e.as_object().contains("code") && e.at("code").is_string() &&
                e.as_object().contains("message") && e.at("message").is_string() &&
                !e.at("message").as_string().empty())
                a.error_code = std::string(e.at("code").as_string());
        }
        out.push_back(std::move(a));
    }
    return out;
}

/// A request with a correct Content-Length for `body`.
std::string request(const std::string& method, const std::string& target,
                    const std::string& body = {}, const std::string& token = practice_token,
                    const std::string& extra_headers = "Content-Type: application/json\r\n") {
    std::string r = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!token.empty()) r += "Authorization: Bearer " + token + "\r\n";
    r += extra_headers;
    if (!body.empty() || method == "POST")
        r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    return r + "\r\n" + body;
}

/// A submission whose body is `body`.
std::string submit(const std::string& body, const std::string& token = practice_token) {
    return request("POST", "/v1/submissions", body, token);
}

/// A head for POST /v1/submissions without the blank line, to add framing to.
std::string post_head(const std::string& token = practice_token) {
    return "POST /v1/submissions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token +
           "\r\nContent-Type: application/json\r\n";
}

std::string repeat(const std::string& s, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out += s;
    return out;
}

/// One kind of bad request and the answer it must get.
struct hostile_case {
    std::string name;
    std::string bytes;
    int status;               ///< of the first answer
    std::string code = {};    ///< its error code; empty: any body
};

std::vector<hostile_case> cases() {
    const std::string chunked = post_head() + "Transfer-Encoding: chunked\r\n\r\n";
    std::vector<hostile_case> t = {
        // Not HTTP, or broken HTTP framing.
        {"not HTTP at all", "HELLO THERE\r\n\r\n", 400, "malformed_request"},
        {"binary garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", 400, "malformed_request"},
        {"NUL bytes before the request line", std::string("\0\0\0\0GET / HTTP/1.1\r\n\r\n", 22), 400, "malformed_request"},
        {"request line without a version", "GET /healthz\r\n\r\n", 400, "malformed_request"},
        {"request line with a bad version", "GET /healthz HTTP/x.y\r\nHost: a\r\n\r\n", 400, "malformed_request"},
        {"request line with too many parts", "GET /healthz HTTP/1.1 extra\r\nHost: a\r\n\r\n", 400, "malformed_request"},
        {"header without a colon", "GET /healthz HTTP/1.1\r\nHost a\r\n\r\n", 400, "malformed_request"},
        {"header name with a space", "GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n", 400, "malformed_request"},
        {"NUL byte in a header value", std::string("GET /healthz HTTP/1.1\r\nX-A: a\0b\r\n\r\n", 35), 400, "malformed_request"},
        {"NUL byte in the target", std::string("GET /heal\0thz HTTP/1.1\r\nHost: a\r\n\r\n", 35), 400, "malformed_request"},
        {"bare CR line ends", "GET /healthz HTTP/1.1\rHost: a\r\r", 400, "malformed_request"},
        {"control character in a header value", "GET /healthz HTTP/1.1\r\nX-A: a\x01" "b\r\n\r\n", 400, "malformed_request"},
        {"a header over the limit", "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n", 431, "headers_too_large"},
        {"too many headers", "GET /healthz HTTP/1.1\r\n" + repeat("X-Many: a\r\n", 1000) + "\r\n", 431, "headers_too_large"},
        {"an overlong URL", "GET /v1/events?topic=" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n", 431, "headers_too_large"},
        {"truncated head", "GET /healthz HTTP/1.1\r\nHost: a\r\n", 400, "malformed_request"},
        // Bodies with bad framing.
        {"negative Content-Length", post_head() + "Content-Length: -5\r\n\r\n{}", 400, "malformed_request"},
        {"non-numeric Content-Length", post_head() + "Content-Length: ten\r\n\r\n{}", 400, "malformed_request"},
        {"two different Content-Lengths", post_head() + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "malformed_request"},
        {"Content-Length past 64-bit", post_head() + "Content-Length: 99999999999999999999999\r\n\r\n{}", 400, "malformed_request"},
        {"Content-Length over the body limit", post_head() + "Content-Length: 1000000\r\n\r\n{}", 413, "body_too_large"},
        {"body shorter than its Content-Length", post_head() + "Content-Length: 100\r\n\r\n{\"practice\":", 400, "malformed_request"},
        {"chunk size that is not hex", chunked + "zz\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        {"chunk size past 64-bit", chunked + "fffffffffffffffffffffff\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        {"chunks over the body limit", chunked + repeat("4000\r\n" + std::string(0x4000, ' ') + "\r\n", 5) + "0\r\n\r\n", 413, "body_too_large"},
        {"chunked without the last chunk", chunked + "2\r\n{}\r\n", 400, "malformed_request"},
        {"chunk without its CRLF", chunked + "2\r\n{}XX0\r\n\r\n", 400, "malformed_request"},
        {"chunked and Content-Length together", post_head() + "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        {"an unknown transfer coding", post_head() + "Transfer-Encoding: gzip\r\n\r\n{}", 400},
        {"a transfer coding before chunked", post_head() + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        {"chunked twice", post_head() + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        {"chunked on HTTP/1.0", "POST /v1/submissions HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + practice_token + "\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "malformed_request"},
        // Pipelining: the first answer is the valid request's.
        {"valid request then pipelined garbage", request("GET", "/healthz", {}, {}, {}) + "\x01\x02GARBAGE\r\n\r\n", 200},
        {"pipelined garbage after a refused submission", submit("{") + "NOT HTTP\r\n\r\n", 400, "malformed_json"},
        // The body as JSON.
        {"empty body", submit(""), 400},
        {"truncated JSON", submit(R"({"practice":"C82001","level":)"), 400, "malformed_json"},
        {"not JSON at all", submit("practice=C82001&level=3"), 400, "malformed_json"},
        {"a JSON array", submit(R"([{"practice":"C82001","level":3}])"), 400},
        {"a JSON string", submit(R"("hello")"), 400},
        {"JSON null", submit("null"), 400},
        {"deeply nested arrays", submit(R"({"practice":"C82001","level":3,"note":)" + std::string(100000 / 2, '[') + "}"), 400, "nesting_too_deep"},
        {"nesting past the depth limit", submit(R"({"practice":"C82001","level":3,"x":)" + std::string(40, '[') + std::string(40, ']') + "}"), 400},
        {"nested objects past the depth limit", submit(repeat(R"({"a":)", 64) + "1" + std::string(64, '}')), 400},
        {"invalid UTF-8 in a string", submit("{\"practice\":\"C82001\",\"level\":3,\"note\":\"\xff\xfe\"}"), 400},
        {"overlong UTF-8 encoding", submit("{\"practice\":\"C82001\",\"level\":3,\"note\":\"\xc0\xaf\"}"), 400},
        {"UTF-8 surrogate bytes", submit("{\"practice\":\"C82001\",\"level\":3,\"note\":\"\xed\xa0\x80\"}"), 400},
        {"truncated UTF-8 sequence", submit("{\"practice\":\"C82001\",\"level\":3,\"note\":\"\xe2\x82\"}"), 400},
        {"a lone surrogate escape", submit(R"({"practice":"C82001","level":3,"note":"\ud800"})"), 400},
        {"a raw NUL in a string", submit(std::string("{\"practice\":\"C82\0001\",\"level\":3}", 31)), 400},
        {"a byte-order mark", submit("\xef\xbb\xbf" + ok_body), 400},
        {"trailing garbage after the object", submit(ok_body + " x"), 400, "malformed_json"},
        {"two objects", submit(ok_body + ok_body), 400, "malformed_json"},
        {"a duplicate key", submit(R"({"practice":"C82001","level":3,"level":4})"), 400},
        {"an unknown field", submit(R"({"practice":"C82001","level":3,"admin":true})"), 400},
        {"a missing field", submit(R"({"practice":"C82001"})"), 400},
        {"level far out of range", submit(R"({"practice":"C82001","level":99999999999999999999999})"), 422},
        {"level as a huge exponent", submit(R"({"practice":"C82001","level":1e400})"), 400},
        {"level negative", submit(R"({"practice":"C82001","level":-1})"), 422},
        {"level zero", submit(R"({"practice":"C82001","level":0})"), 422},
        {"level past 4", submit(R"({"practice":"C82001","level":5})"), 422},
        {"level as a fraction", submit(R"({"practice":"C82001","level":3.5})"), 400},
        {"level as a string", submit(R"({"practice":"C82001","level":"3"})"), 400},
        {"level as a boolean", submit(R"({"practice":"C82001","level":true})"), 400},
        {"themes not a list", submit(R"({"practice":"C82001","level":3,"themes":"workforce"})"), 400},
        {"themes holding numbers", submit(R"({"practice":"C82001","level":3,"themes":[1,2]})"), 400},
        {"too many themes", submit(R"({"practice":"C82001","level":3,"themes":[)" + repeat(R"("workforce",)", 10) + R"("workforce"]})"), 422},
        {"an unknown theme", submit(R"({"practice":"C82001","level":3,"themes":["../../etc"]})"), 422},
        {"a note over its length", submit(R"({"practice":"C82001","level":3,"note":")" + std::string(2001, 'n') + "\"}"), 422},
        {"an unknown practice", submit(R"({"practice":"Z99999","level":3})", "token-admin"), 422},
        {"a body over 64 KiB", submit(R"({"practice":"C82001","level":3,"note":")" + std::string(70000, 'n') + "\"}"), 413, "body_too_large"},
        {"a text/plain body", request("POST", "/v1/submissions", ok_body, practice_token, "Content-Type: text/plain\r\n"), 415},
        {"a form content type", request("POST", "/v1/submissions", ok_body, practice_token, "Content-Type: application/x-www-form-urlencoded\r\n"), 415},
        // Tokens.
        {"no token", submit(ok_body, ""), 401, "unauthenticated"},
        {"a wrong token", submit(ok_body, "not-a-token"), 401, "unauthenticated"},
        {"Basic instead of Bearer", request("POST", "/v1/submissions", ok_body, "", "Content-Type: application/json\r\nAuthorization: Basic dXNlcjpwYXNz\r\n"), 401, "unauthenticated"},
        {"Bearer with no token", request("POST", "/v1/submissions", ok_body, "", "Content-Type: application/json\r\nAuthorization: Bearer\r\n"), 401, "unauthenticated"},
        {"Bearer with spaces only", request("POST", "/v1/submissions", ok_body, "", "Content-Type: application/json\r\nAuthorization: Bearer    \r\n"), 401, "unauthenticated"},
        {"two Authorization headers", request("POST", "/v1/submissions", ok_body, practice_token, "Content-Type: application/json\r\nAuthorization: Bearer " + practice_token + "\r\n"), 401, "unauthenticated"},
        {"a 7 KiB token", submit(ok_body, std::string(7000, 't')), 401, "unauthenticated"},
        {"a token with a trailing byte", submit(ok_body, practice_token + "x"), 401, "unauthenticated"},
        {"a token as a prefix", submit(ok_body, practice_token.substr(0, 10)), 401, "unauthenticated"},
        {"another practice's token", submit(ok_body, other_practice_token), 403},
        {"a reader's token submitting", submit(ok_body, team_token), 403},
        {"a practice token on an admin call", request("POST", "/v1/silences", "{}", practice_token), 403},
        // Methods and paths.
        {"PUT on submissions", request("PUT", "/v1/submissions", ok_body), 405},
        {"DELETE on healthz", request("DELETE", "/healthz", {}, {}, {}), 405},
        {"PATCH on alerts", request("PATCH", "/v1/alerts", "{}", team_token), 405},
        {"an unknown method", "BREW /healthz HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"a lower-case method", "get /healthz HTTP/1.1\r\nHost: a\r\n\r\n", 405},
        {"an unknown path", request("GET", "/v1/nothing-here", {}, team_token, {}), 404},
        {"path traversal on static files", request("GET", "/static/../../etc/passwd", {}, {}, {}), 404},
        {"encoded path traversal on static files", request("GET", "/static/..%2f..%2fetc%2fpasswd", {}, {}, {}), 404},
        {"double-encoded traversal", request("GET", "/static/%252e%252e%252fetc%252fpasswd", {}, {}, {}), 404},
        {"a NUL-encoded static name", request("GET", "/static/dashboard.js%00.png", {}, {}, {}), 404},
        {"an absolute-form target", request("GET", "http://evil.example/etc/passwd", {}, {}, {}), 400},
        {"an asterisk target", request("GET", "*", {}, {}, {}), 400},
        // Query parameters and path segments.
        {"limit past 64-bit", request("GET", "/v1/submissions?limit=99999999999999999999999", {}, team_token, {}), 400},
        {"a negative limit", request("GET", "/v1/submissions?limit=-5", {}, team_token, {}), 400},
        {"a non-numeric since_seq", request("GET", "/v1/events?since_seq=abc", {}, team_token, {}), 400},
        {"a malformed date", request("GET", "/v1/submissions?since=yesterday", {}, team_token, {}), 400},
        {"a bad percent escape", request("GET", "/v1/events?topic=%zz", {}, team_token, {}), 400},
        // The event stream parses its own query: the same answers as any route.
        {"a raw high byte in the stream's query", request("GET", "/v1/stream?topic=al\xa6" "ert", {}, team_token, {}), 400, "invalid_target"},
        {"a bad percent escape on the stream", request("GET", "/v1/stream?topic=%zz", {}, team_token, {}), 400, "invalid_target"},
        {"a non-numeric alert id", request("POST", "/v1/alerts/abc/ack", "{}", team_token), 404},
        {"an alert id past 64-bit", request("POST", "/v1/alerts/99999999999999999999999/ack", "{}", team_token), 404},
        {"an unknown alert id", request("POST", "/v1/alerts/424242/ack", "{}", team_token), 404},
        {"an ack with malformed JSON", request("POST", "/v1/alerts/1/ack", "{\"note\":", team_token), 400, "malformed_json"},
    };
    return t;
}

std::size_t count_of(http_client& c, const std::string& target, const char* field) {
    return c.get(target, admin_token).json().at(field).as_array().size();
}

} // namespace

TEST_CASE("every kind of hostile request gets its clear refusal and the daemon carries on",
          "[hostile]") {
    config_options o;
    o.http = "  read_timeout: 1\n  idle_timeout: 1\n";
    test_daemon d(o);
    const auto table = cases();
    REQUIRE(table.size() >= 60);
    for (const auto& c : table) {
        INFO(c.name);
        raw_connection conn(d.port());
        conn.send(c.bytes);
        conn.finish();
        const auto answers = parse_answers(conn.read_all());
        REQUIRE(!answers.empty());
        CHECK(answers.front().status == c.status);
        if (c.status >= 400) {
            // A refusal always carries the contract's error shape.
            CHECK(!answers.front().error_code.empty());
            if (!c.code.empty()) CHECK(answers.front().error_code == c.code);
        }
        CHECK(d.client().get("/healthz").status == 200);
    }
    // Nothing was stored, and the daemon still takes a good submission.
    auto c = d.client();
    CHECK(count_of(c, "/v1/submissions", "submissions") == 0);
    CHECK(count_of(c, "/v1/events", "events") == 0);
    CHECK(count_of(c, "/v1/silences", "silences") == 0);
    CHECK(c.post("/v1/submissions", ok_body, practice_token).status == 201);
    CHECK(count_of(c, "/v1/submissions", "submissions") == 1);
}

/// Bytes enough that trickling them at 100 ms a byte takes 10 s, far past
/// the test daemons' 1-second read deadline.
std::string slow_bytes(std::size_t n = 100) { return std::string(n, 'a'); }

TEST_CASE("a client that trickles its head is cut at the read deadline", "[hostile][slow]") {
    config_options o;
    o.http = "  read_timeout: 1\n  idle_timeout: 1\n";
    test_daemon d(o);
    raw_connection conn(d.port());
    // Every byte arrives well within the deadline of one read; the deadline
    // is for the whole head, so the daemon closes while bytes still come.
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + slow_bytes();
    CHECK(conn.trickle(head) < head.size());
    const auto wire = conn.read_all();
    CHECK(parse_answers(wire).empty());
    CHECK(d.client().get("/healthz").status == 200);
}

TEST_CASE("a client that trickles its body is cut at the read deadline and stores nothing",
          "[hostile][slow]") {
    config_options o;
    o.http = "  read_timeout: 1\n  idle_timeout: 1\n";
    test_daemon d(o);
    raw_connection conn(d.port());
    // A valid submission, padded with trailing blanks to trickle slowly.
    const std::string body = ok_body + std::string(100, ' ');
    conn.send(post_head() + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n");
    CHECK(conn.trickle(body) < body.size());
    const auto wire = conn.read_all();
    CHECK(parse_answers(wire).empty());
    auto c = d.client();
    CHECK(count_of(c, "/v1/submissions", "submissions") == 0);
}

TEST_CASE("after a keep-alive request, a trickled next head is cut at the read deadline",
          "[hostile][slow]") {
    config_options o;
    // A long idle deadline: only the read deadline can end this in time.
    o.http = "  read_timeout: 1\n  idle_timeout: 60\n";
    test_daemon d(o);
    raw_connection conn(d.port());
    conn.send(request("GET", "/healthz", {}, {}, {}));
    const auto first = parse_answers(conn.read_some());
    REQUIRE(first.size() == 1);
    CHECK(first.front().status == 200);
    const std::string head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + slow_bytes();
    CHECK(conn.trickle(head) < head.size());
    CHECK(parse_answers(conn.read_all()).empty());
}

TEST_CASE("an idle keep-alive connection is closed at the idle deadline", "[hostile][slow]") {
    config_options o;
    o.http = "  read_timeout: 1\n  idle_timeout: 1\n";
    test_daemon d(o);
    raw_connection conn(d.port());
    conn.send(request("GET", "/healthz", {}, {}, {}));
    // The answer comes, then the daemon closes the idle connection by itself.
    const auto answers = parse_answers(conn.read_all());
    REQUIRE(answers.size() == 1);
    CHECK(answers.front().status == 200);
}

TEST_CASE("out of descriptors, the acceptor backs off, says so once and recovers", "[hostile]") {
    log_capture logs;
    const scoped_log_level each_retry("http", spdlog::level::debug);
    test_daemon d;
    // The client's socket exists before descriptors run out; connecting it
    // needs none, but the daemon's accept of it does.
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket client(ioc);
    client.open(boost::asio::ip::tcp::v4());
    descriptors_taken none_left;
    client.connect({boost::asio::ip::make_address("127.0.0.1"), d.port()});
    // Three failed accepts, each after a pause twice the last, told by the
    // daemon at debug level: a spinning acceptor would make thousands with no
    // pause between them, and log each (or nothing).
    const auto& m = d.daemon().metrics();
    const bool third_pause = logs.wait_for("next try in 200 ms");
    const auto failures = m.http_accept_failures.load();
    REQUIRE(none_left.give_back());
    REQUIRE(third_pause);
    CHECK(logs.count("next try in 50 ms") == 1);
    CHECK(logs.count("next try in 100 ms") == 1);
    CHECK(failures >= 3);
    CHECK(logs.count("accept failed") == 1);
    // Descriptors are back: the waiting connection is taken and served.
    const std::string get = "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    boost::asio::write(client, boost::asio::buffer(get));
    boost::beast::flat_buffer buf;
    boost::beast::http::response<boost::beast::http::string_body> res;
    boost::beast::http::read(client, buf, res);
    CHECK(res.result_int() == 200);
    CHECK(logs.count("accepting connections again") == 1);
}

namespace {

/// The error code of an HTTP answer, or its status when it is no error.
std::string refusal(const http_answer& a) {
    if (a.status < 400) return "status " + std::to_string(a.status);
    return std::string(a.json().at("error").at("code").as_string());
}

} // namespace

TEST_CASE("a control character in any text input is refused 422 over HTTP and ZeroMQ",
          "[hostile][text]") {
    test_daemon d;
    auto c = d.client();
    namespace bhttp = boost::beast::http;
    // Submissions, over HTTP: every text field.
    for (const std::string extra :
         {R"("note":"a\u0000b")", R"("support_requested":"\u001b[2J")",
          R"("themes":["work\u0007force"])", R"("idempotency_key":"k\u0001")",
          R"("note":"forged\rline")"}) {
        INFO(extra);
        const auto a = c.post("/v1/submissions",
                              R"({"practice":"C82001","level":3,)" + extra + "}", practice_token);
        CHECK(a.status == 422);
        CHECK(refusal(a) == "control_character");
    }
    // The same submission over ZeroMQ.
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::rcvtimeo, 5000);
    req.connect(d.daemon().zmq_ingest_endpoint());
    req.send(zmq::buffer(R"({"practice":"C82001","level":3,"note":"a\u0000b","token":")" +
                         practice_token + "\"}"),
             zmq::send_flags::none);
    zmq::message_t reply;
    REQUIRE(req.recv(reply));
    const auto z = boost::json::parse(reply.to_string());
    CHECK(z.at("status") == 422);
    CHECK(z.at("error").at("code") == "control_character");
    // The other text inputs: an acknowledgement's note, a silence, support, an escalation.
    const auto raised =
        c.post("/v1/submissions", R"({"practice":"C82001","level":4})", practice_token);
    REQUIRE(raised.status == 201);
    const auto alert = std::to_string(raised.json().at("alerts").at(0).as_int64());
    CHECK(refusal(c.post("/v1/alerts/" + alert + "/ack", R"({"note":"\u0000"})", team_token)) ==
          "control_character");
    CHECK(refusal(c.post("/v1/silences",
                         R"({"rule":"practice-level-3","comment":"x\u0008",)"
                         R"("ends_at":"2026-12-01T00:00:00Z"})",
                         team_token)) == "control_character");
    CHECK(refusal(c.post("/v1/practices/C82001/support",
                         R"({"action":"locum_cover","note":"\u0000"})", team_token)) ==
          "control_character");
    CHECK(refusal(c.post("/v1/escalations",
                         R"({"title":"\u001b[31mRED","message":"m","level":4})", team_token)) ==
          "control_character");
    const auto offered = c.post("/v1/practices/C82001/support", R"({"action":"locum_cover"})",
                                team_token);
    REQUIRE(offered.status == 201);
    const auto item = std::to_string(offered.json().at("id").as_int64());
    CHECK(refusal(c.call(bhttp::verb::patch, "/v1/support/" + item,
                         R"({"state":"agreed","note":"ok\u0000"})", practice_token)) ==
          "control_character");
    // Nothing refused was stored: one submission, the alert still firing, no
    // silence or escalation, the one support item still offered.
    CHECK(count_of(c, "/v1/submissions", "submissions") == 1);
    const auto alerts = c.get("/v1/alerts?state=all", team_token).json().at("alerts").as_array();
    REQUIRE(!alerts.empty());
    for (const auto& a : alerts)
        CHECK(a.at("state") == "firing");
    CHECK(count_of(c, "/v1/silences", "silences") == 0);
    CHECK(count_of(c, "/v1/escalations", "escalations") == 0);
    const auto support = c.get("/v1/support?state=all", team_token).json().at("support").as_array();
    REQUIRE(support.size() == 1);
    CHECK(support[0].at("state") == "offered");
    CHECK(c.get("/healthz").status == 200);
}
