// core/submission_parser and core/json_out: every rule of a submission accepted
// at its limit and refused just past it, the strict JSON layer underneath, the
// reference checks, the content hash, and the serialisers.
#include "core/json_out.hpp"
#include "core/submission_parser.hpp"
#include "core/time.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opel::core;
using namespace std::string_literals;

namespace {

parsed_submission accepted(std::string_view body, ingest_kind kind = ingest_kind::http) {
    auto r = parse_submission(body, kind);
    const error* e = std::get_if<error>(&r);
    INFO((e ? e->code + ": " + e->message : "accepted"s));
    REQUIRE(e == nullptr);
    return std::get<parsed_submission>(std::move(r));
}

error refused(std::string_view body, ingest_kind kind = ingest_kind::http) {
    auto r = parse_submission(body, kind);
    REQUIRE(std::holds_alternative<error>(r));
    return std::get<error>(std::move(r));
}

// A valid submission with `extra` members added after level.
std::string body_with(const std::string& extra) {
    return R"({"practice":"C82001","level":3)" + (extra.empty() ? "" : "," + extra) + "}";
}

std::string level_body(const std::string& level) {
    return R"({"practice":"C82001","level":)" + level + "}";
}

std::string repeat(std::string_view unit, std::size_t n) {
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out += unit;
    return out;
}

std::string themes_body(std::size_t n) {
    std::string list;
    for (std::size_t i = 0; i < n; ++i)
        list += (i ? ",\"t" : "\"t") + std::to_string(i) + "\"";
    return body_with("\"themes\":[" + list + "]");
}

void check_error(const error& e, int status, std::string_view code, std::string_view field) {
    INFO(e.message);
    CHECK(e.status == status);
    CHECK(e.code == code);
    CHECK(e.field == field);
    CHECK_FALSE(e.message.empty());
}

} // namespace

// --- the fields ------------------------------------------------------------

TEST_CASE("a minimal submission is accepted with empty optionals", "[core][parser]") {
    const auto p = accepted(R"({"practice":"C82001","level":2})");
    CHECK(p.value.practice == "C82001");
    CHECK(p.value.level == 2);
    CHECK(p.value.themes.empty());
    CHECK_FALSE(p.value.note);
    CHECK_FALSE(p.value.support_requested);
    CHECK_FALSE(p.value.idempotency_key);
    CHECK_FALSE(p.token);
    CHECK(p.value.id == 0);
}

TEST_CASE("every field is read", "[core][parser]") {
    const auto p = accepted(R"({"practice":"C82001","level":4,"themes":["ari","telephony"],
        "note":"phones down","support_requested":"help","idempotency_key":"k-1"})");
    CHECK(p.value.level == 4);
    CHECK(p.value.themes == std::vector<std::string>{"ari", "telephony"});
    CHECK(p.value.note == "phones down");
    CHECK(p.value.support_requested == "help");
    CHECK(p.value.idempotency_key == "k-1");
}

TEST_CASE("levels 1 and 4 are accepted", "[core][parser]") {
    CHECK(accepted(level_body("1")).value.level == 1);
    CHECK(accepted(level_body("4")).value.level == 4);
}

TEST_CASE("integer levels outside 1..4 are 422", "[core][parser]") {
    for (const char* level : {"0", "5", "-1", "7", "-0"}) {
        INFO(level);
        check_error(refused(level_body(level)), 422, "level_out_of_range", "level");
    }
}

TEST_CASE("integer levels past 64 bits are 422, not a crash or a type error", "[core][parser]") {
    for (const char* level : {"9223372036854775807", "9223372036854775808", "18446744073709551615",
                              "18446744073709551616", "99999999999999999999999999999999",
                              "-9223372036854775809", "-99999999999999999999999999999999"}) {
        INFO(level);
        check_error(refused(level_body(level)), 422, "level_out_of_range", "level");
    }
}

TEST_CASE("levels that are not integers are 400 wrong_type", "[core][parser]") {
    for (const char* level :
         {"3.0", "\"3\"", "true", "3e0", "3E0", "0.3e1", "null", "[3]", "{}", "1e400", "-1e400"}) {
        INFO(level);
        check_error(refused(level_body(level)), 400, "wrong_type", "level");
    }
}

TEST_CASE("a missing practice or level is 400 missing_field", "[core][parser]") {
    check_error(refused(R"({"level":3})"), 400, "missing_field", "practice");
    check_error(refused(R"({"practice":"C82001"})"), 400, "missing_field", "level");
    check_error(refused("{}"), 400, "missing_field", "practice");
}

TEST_CASE("practice must be a string", "[core][parser]") {
    check_error(refused(R"({"practice":82001,"level":3})"), 400, "wrong_type", "practice");
    check_error(refused(R"({"practice":null,"level":3})"), 400, "wrong_type", "practice");
}

TEST_CASE("a note of 2000 characters is accepted, 2001 is 422", "[core][parser]") {
    // Two-byte characters: the limit counts characters, not bytes.
    const auto p = accepted(body_with("\"note\":\"" + repeat("é", 2000) + "\""));
    CHECK(p.value.note->size() == 4000);
    check_error(refused(body_with("\"note\":\"" + repeat("é", 2001) + "\"")), 422, "too_long",
                "note");
}

TEST_CASE("the note limit counts astral characters once", "[core][parser]") {
    accepted(body_with("\"note\":\"" + repeat("😀", 2000) + "\""));
    accepted(body_with("\"note\":\"" + repeat("\\ud83d\\ude00", 2000) + "\""));
    check_error(refused(body_with("\"note\":\"" + repeat("😀", 2001) + "\"")), 422, "too_long",
                "note");
}

TEST_CASE("support_requested of 500 characters is accepted, 501 is 422", "[core][parser]") {
    accepted(body_with("\"support_requested\":\"" + repeat("x", 500) + "\""));
    check_error(refused(body_with("\"support_requested\":\"" + repeat("x", 501) + "\"")), 422,
                "too_long", "support_requested");
}

TEST_CASE("an empty note is kept as empty text", "[core][parser]") {
    CHECK(accepted(body_with(R"("note":"")")).value.note == "");
}

TEST_CASE("idempotency keys of 1 and 128 characters are accepted", "[core][parser]") {
    CHECK(accepted(body_with(R"("idempotency_key":"a")")).value.idempotency_key == "a");
    const std::string key = repeat("k", 128);
    CHECK(accepted(body_with("\"idempotency_key\":\"" + key + "\"")).value.idempotency_key == key);
}

TEST_CASE("idempotency keys of 0 or 129 characters are 422", "[core][parser]") {
    check_error(refused(body_with(R"("idempotency_key":"")")), 422, "too_short", "idempotency_key");
    check_error(refused(body_with("\"idempotency_key\":\"" + repeat("k", 129) + "\"")), 422,
                "too_long", "idempotency_key");
    check_error(refused(body_with(R"("idempotency_key":12)")), 400, "wrong_type",
                "idempotency_key");
}

TEST_CASE("ten themes are accepted, eleven are 422", "[core][parser]") {
    CHECK(accepted(themes_body(10)).value.themes.size() == 10);
    check_error(refused(themes_body(11)), 422, "too_many_themes", "themes");
}

TEST_CASE("themes keep their order and may be empty", "[core][parser]") {
    CHECK(accepted(body_with(R"("themes":["b","a"])")).value.themes ==
          std::vector<std::string>{"b", "a"});
    CHECK(accepted(body_with(R"("themes":[])")).value.themes.empty());
}

TEST_CASE("a repeated or empty theme is 422", "[core][parser]") {
    check_error(refused(body_with(R"("themes":["ari","covid","ari"])")), 422, "duplicate_theme",
                "themes");
    check_error(refused(body_with(R"("themes":["ari",""])")), 422, "empty_theme", "themes");
}

TEST_CASE("themes must be an array of strings", "[core][parser]") {
    for (const char* themes : {R"("ari")", "[1]", R"(["ari",null])", R"([["ari"]])", "{}"}) {
        INFO(themes);
        check_error(refused(body_with("\"themes\":" + std::string(themes))), 400, "wrong_type",
                    "themes");
    }
}

TEST_CASE("null stands for an absent optional field", "[core][parser]") {
    const auto p = accepted(
        body_with(R"("themes":null,"note":null,"support_requested":null,"idempotency_key":null)"));
    CHECK(p.value.themes.empty());
    CHECK_FALSE(p.value.note);
    CHECK_FALSE(p.value.support_requested);
    CHECK_FALSE(p.value.idempotency_key);
}

TEST_CASE("text keeps tabs, line breaks and valid surrogate pairs", "[core][parser]") {
    CHECK(accepted(body_with(R"("note":"a\tb\nc\r\nd")")).value.note == "a\tb\nc\r\nd");
    CHECK(accepted(body_with(R"("note":"\ud83d\ude00")")).value.note == "\xf0\x9f\x98\x80");
    CHECK(accepted(body_with(R"("note":"\\ud800")")).value.note == "\\ud800");
}

TEST_CASE("a control character in any text field is 422 control_character", "[core][parser]") {
    // NUL, escape, a lone carriage return (one not ending a line) and a CR at the very end.
    for (const std::string c : {"\\u0000", "\\u001b", "\\u0001", "\\r", "\\u000b"}) {
        INFO(c);
        for (const std::string field : {"note", "support_requested", "idempotency_key"})
            check_error(refused(body_with("\"" + field + "\":\"ab" + c + "x\"")), 422,
                        "control_character", field);
        check_error(refused(R"({"practice":"C82)" + c + R"(001","level":3})"), 422,
                    "control_character", "practice");
        check_error(refused(body_with(R"("themes":["work)" + c + R"(force"])")), 422,
                    "control_character", "themes");
    }
    check_error(refused(body_with(R"("note":"ends with a CR\r")")), 422, "control_character",
                "note");
    const auto e = refused(body_with(R"("note":"\u00e9\u00e9\u0000")"));
    CHECK(e.message.find("U+0000 at character 3") != std::string::npos);
    // An import line is read by the same parser.
    check_error(refused(R"({"practice":"C82001","level":3,"note":"\u0007",)"
                        R"("reported_at":"2026-11-02T09:00:00Z"})",
                        ingest_kind::import),
                422, "control_character", "note");
}

TEST_CASE("find_control_character spares tab, line feed and CR LF only", "[core][parser]") {
    CHECK_FALSE(find_control_character("plain text"));
    CHECK_FALSE(find_control_character("a\tb\nc\r\nd"));
    CHECK_FALSE(find_control_character("\x7f and \xc2\x85 are not C0"));
    CHECK(find_control_character("a\rb") == 1u);
    CHECK(find_control_character("ab\r") == 2u);
    CHECK(find_control_character(std::string("\0", 1)) == 0u);
    CHECK(find_control_character("\x1f") == 0u);
}

TEST_CASE("idempotency keys are checked in characters, as UTF-8, without controls",
          "[core][parser]") {
    const std::string two_byte = "\xc3\xa9"; // é: 128 of them are 256 bytes
    CHECK_FALSE(check_idempotency_key(repeat(two_byte, 128), "Idempotency-Key header"));
    check_error(*check_idempotency_key(repeat(two_byte, 129), "Idempotency-Key header"), 422,
                "too_long", "idempotency_key");
    check_error(*check_idempotency_key("", "Idempotency-Key header"), 422, "too_short",
                "idempotency_key");
    const auto bad_utf8 = check_idempotency_key("k\xff", "Idempotency-Key header");
    check_error(*bad_utf8, 400, "invalid_utf8", "idempotency_key");
    CHECK(bad_utf8->message.find("Idempotency-Key header") != std::string::npos);
    check_error(*check_idempotency_key("a\x01" "b", "Idempotency-Key header"), 422,
                "control_character", "idempotency_key");
    CHECK_FALSE(check_idempotency_key("a\tb", "Idempotency-Key header")); // as in any text
    // The body's field gets the same answers.
    CHECK(accepted(body_with("\"idempotency_key\":\"" + repeat(two_byte, 128) + "\""))
              .value.idempotency_key == repeat(two_byte, 128));
}

TEST_CASE("an unknown field is 400 unknown_field naming it", "[core][parser]") {
    check_error(refused(body_with(R"("colour":"red")")), 400, "unknown_field", "colour");
    check_error(refused(body_with(R"("Level":3)")), 400, "unknown_field", "Level");
    check_error(refused(body_with(R"("id":5)")), 400, "unknown_field", "id");
}

TEST_CASE("a very long unknown field name is cut short in the error", "[core][parser]") {
    const std::string key = repeat("é", 5000);
    const error e = refused(body_with("\"" + key + "\":1"));
    CHECK(e.code == "unknown_field");
    CHECK(e.field.size() < 200);
    CHECK(e.message.size() < 300);
    CHECK(is_valid_utf8(e.field));
    CHECK(is_valid_utf8(e.message));
}

TEST_CASE("type faults are reported before value faults", "[core][parser]") {
    check_error(refused(R"({"practice":"C82001","level":7,"extra":1})"), 400, "unknown_field",
                "extra");
    check_error(refused(R"({"level":7,"note":5,"practice":"C82001"})"), 400, "wrong_type", "note");
}

// --- per ingest path --------------------------------------------------------

TEST_CASE("token is read over ZeroMQ and refused elsewhere", "[core][parser]") {
    const std::string body = body_with(R"("token":"s3cret")");
    CHECK(accepted(body, ingest_kind::zmq).token == "s3cret");
    check_error(refused(body, ingest_kind::http), 400, "unknown_field", "token");
    check_error(refused(body, ingest_kind::import), 400, "unknown_field", "token");
}

TEST_CASE("token is optional over ZeroMQ but must be a string", "[core][parser]") {
    CHECK_FALSE(accepted(body_with(""), ingest_kind::zmq).token);
    check_error(refused(body_with(R"("token":1)"), ingest_kind::zmq), 400, "wrong_type", "token");
}

TEST_CASE("reported_at is required in an import and read with parse_time", "[core][parser]") {
    const auto p =
        accepted(body_with(R"("reported_at":"2026-11-28T09:00:00+01:00")"), ingest_kind::import);
    CHECK(p.value.reported_at == *parse_time("2026-11-28T08:00:00Z"));
    check_error(refused(body_with(""), ingest_kind::import), 400, "missing_field", "reported_at");
}

TEST_CASE("reported_at that is not RFC 3339 is 422, not a string is 400", "[core][parser]") {
    // The seconds field takes digits only: date::parse would read "nan" or
    // "1e9" there as a floating-point number (found by fuzzing).
    for (const char* t :
         {"yesterday", "2026-11-28", "2026-11-28 09:00:00", "2026-13-01T00:00:00Z", "",
          "2026-11-28T09:00:nanZ", "2026-11-28T09:00:-nanZ", "2026-11-28T09:00:infZ",
          "2026-11-28T09:00:1e9Z", "2026-11-28T09:00:+1.0Z", "2026-11-28T09:00:00.Z",
          "2026-11-28T09:00:00+1:00", "2026-11-28T09:00:00ZZ", "+026-11-28T09:00:00Z"}) {
        INFO(t);
        check_error(
            refused(body_with("\"reported_at\":\"" + std::string(t) + "\""), ingest_kind::import),
            422, "invalid_time", "reported_at");
    }
    check_error(refused(body_with(R"("reported_at":null)"), ingest_kind::import), 400, "wrong_type",
                "reported_at");
}

TEST_CASE("reported_at is refused outside an import", "[core][parser]") {
    const std::string body = body_with(R"("reported_at":"2026-11-28T09:00:00Z")");
    check_error(refused(body, ingest_kind::http), 400, "unknown_field", "reported_at");
    check_error(refused(body, ingest_kind::zmq), 400, "unknown_field", "reported_at");
}

// --- the JSON layer ---------------------------------------------------------

TEST_CASE("a duplicate top-level key is 400 duplicate_key", "[core][parser]") {
    check_error(refused(R"({"practice":"C82001","level":3,"level":3})"), 400, "duplicate_key",
                "level");
    check_error(refused(R"({"practice":"C82001","level":3,"practice":"C82002"})"), 400,
                "duplicate_key", "practice");
}

TEST_CASE("a duplicate key at any depth is refused", "[core][parser]") {
    check_error(refused(body_with(R"("themes":[{"a":1,"a":1}])")), 400, "duplicate_key", "themes");
    check_error(refused(body_with(R"("x":{"y":[{"z":{"k":1,"k":2}}]})")), 400, "duplicate_key",
                "x");
}

TEST_CASE("equal keys in different objects are not duplicates", "[core][parser]") {
    const auto r = parse_json_object(R"({"a":{"k":1},"b":{"k":1},"c":[{"k":1},{"k":2}]})");
    CHECK(std::holds_alternative<boost::json::object>(r));
}

TEST_CASE("escaped keys are compared after unescaping", "[core][parser]") {
    check_error(refused(R"({"practice":"C82001","level":3,"lev\u0065l":3})"), 400, "duplicate_key",
                "level");
}

TEST_CASE("lone surrogate escapes are 400 invalid_utf8", "[core][parser]") {
    for (const char* text : {R"(\ud800)", R"(\udc00)", R"(\uDFFF)", R"(a\ud800)", R"(\ud800\u0041)",
                             R"(\ud800\ud800)", R"(\ud800x)", R"(\ud800\n)", R"(\udc00\ud800)"}) {
        INFO(text);
        check_error(refused(body_with("\"note\":\"" + std::string(text) + "\"")), 400,
                    "invalid_utf8", "");
    }
    check_error(refused(R"({"practice":"C82001","level":3,"\ud800":1})"), 400, "invalid_utf8", "");
}

TEST_CASE("invalid UTF-8 bytes are 400 invalid_utf8", "[core][parser]") {
    for (const std::string& bad :
         {"\xff"s, "\xc3"s, "\xc0\xaf"s, "\xe0\x80\xaf"s, "\xf0\x80\x80\xaf"s, "\xed\xa0\x80"s,
          "\xf4\x90\x80\x80"s, "\x80"s, "a\xe2\x82"s}) {
        check_error(refused(body_with("\"note\":\"" + bad + "\"")), 400, "invalid_utf8", "");
        check_error(refused(body_with("\"k" + bad + "\":1")), 400, "invalid_utf8", "");
    }
}

TEST_CASE("is_valid_utf8 and code_points at the edges of Unicode", "[core][parser]") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("\x7f\xc2\x80\xdf\xbf\xe0\xa0\x80\xef\xbf\xbf\xf0\x90\x80\x80"
                        "\xf4\x8f\xbf\xbf"));
    CHECK(is_valid_utf8("\xed\x9f\xbf\xee\x80\x80")); // U+D7FF and U+E000, around the surrogates
    CHECK_FALSE(is_valid_utf8("\xc1\xbf"));
    CHECK_FALSE(is_valid_utf8("\xf5\x80\x80\x80"));
    CHECK_FALSE(is_valid_utf8("\xe2\x28\xa1"));
    CHECK(code_points("") == 0);
    CHECK(code_points("aé€😀") == 4);
}

TEST_CASE("a body that is not an object is 400 not_an_object", "[core][parser]") {
    for (const char* body :
         {"[]", "[{\"practice\":\"C82001\",\"level\":3}]", "3", "\"x\"", "null", "true"}) {
        INFO(body);
        check_error(refused(body), 400, "not_an_object", "");
    }
}

TEST_CASE("trailing data after the object is 400", "[core][parser]") {
    for (const std::string& tail : {" x"s, "{}"s, ","s, "\x00"s, "]"s, "//"s}) {
        INFO(tail);
        check_error(refused(body_with("") + tail), 400, "malformed_json", "");
    }
    accepted(" \n\t" + body_with("") + " \r\n");
}

TEST_CASE("an empty body is 400 empty_body", "[core][parser]") {
    check_error(refused(""), 400, "empty_body", "");
    check_error(refused(" \r\n\t"), 400, "empty_body", "");
}

TEST_CASE("malformed JSON is 400 malformed_json", "[core][parser]") {
    for (const char* body :
         {"{", R"({"practice":})", R"({'practice':'C82001','level':3})",
          R"({"practice":"C82001","level":3,})", R"({"practice":"C82001",/*c*/"level":3})",
          R"({practice:"C82001"})", R"({"level":03,"practice":"C82001"})", R"({"level":+3})",
          R"({"level":NaN})", R"({"note":"tab	here"})", R"({"note":"\x41"})",
          R"({"level":1e99999999999999999999})", "\xef\xbb\xbf{}"}) {
        INFO(body);
        const error e = refused(body);
        CHECK(e.status == 400);
        CHECK(e.code == "malformed_json");
    }
}

TEST_CASE("deep nesting is refused without overflowing the stack", "[core][parser]") {
    check_error(refused(std::string(10'000, '[')), 400, "nesting_too_deep", "");
    check_error(refused(std::string(100'000, '[') + std::string(100'000, ']')), 413,
                "body_too_large", "");
    check_error(
        refused(body_with("\"x\":" + repeat("{\"a\":", 5000) + "1" + std::string(5000, '}'))), 400,
        "nesting_too_deep", "");
    check_error(refused(body_with("\"x\":" + std::string(40, '[') + std::string(40, ']'))), 400,
                "nesting_too_deep", "");
}

TEST_CASE("moderate nesting parses, and is then an unknown field", "[core][parser]") {
    check_error(refused(body_with("\"x\":" + std::string(20, '[') + std::string(20, ']'))), 400,
                "unknown_field", "x");
}

TEST_CASE("a body over 64 KiB is 413, one at the limit is read", "[core][parser]") {
    const std::string head = R"({"practice":"C82001","level":3,"note":")";
    const std::string tail = "\"}";
    std::string at_limit =
        head + std::string(max_body_bytes - head.size() - tail.size(), ' ') + tail;
    REQUIRE(at_limit.size() == max_body_bytes);
    // Within the byte limit, the note is still far too long: read, then 422.
    check_error(refused(at_limit), 422, "too_long", "note");
    check_error(refused(at_limit + " "), 413, "body_too_large", "");
}

TEST_CASE("parse_json_object reads other small bodies strictly", "[core][parser]") {
    const auto good = parse_json_object(R"({"note":"seen"})");
    REQUIRE(std::holds_alternative<boost::json::object>(good));
    CHECK(std::get<boost::json::object>(good).at("note") == "seen");
    const auto dup = parse_json_object(R"({"note":"a","note":"b"})");
    REQUIRE(std::holds_alternative<error>(dup));
    CHECK(std::get<error>(dup).code == "duplicate_key");
    CHECK(std::get<error>(dup).field == "note");
}

// --- references and content -------------------------------------------------

TEST_CASE("check_references refuses an unknown practice or theme with 422", "[core][parser]") {
    const auto practice_ok = [](std::string_view p) { return p == "C82001"; };
    const auto theme_ok = [](std::string_view t) { return t == "ari" || t == "covid"; };
    submission s;
    s.practice = "C82001";
    s.themes = {"ari", "covid"};
    CHECK_FALSE(check_references(s, practice_ok, theme_ok));
    s.themes.push_back("zombies");
    check_error(*check_references(s, practice_ok, theme_ok), 422, "unknown_theme", "themes");
    s.practice = "Z99999";
    check_error(*check_references(s, practice_ok, theme_ok), 422, "unknown_practice", "practice");
}

TEST_CASE("content_hash ignores the key, the id and the times", "[core][parser]") {
    submission a =
        accepted(body_with(R"("themes":["ari"],"note":"n","idempotency_key":"k1")")).value;
    submission b = a;
    b.idempotency_key = "k2";
    b.id = 42;
    b.received_at = *parse_time("2026-01-01T00:00:00Z");
    b.reported_at = b.received_at;
    CHECK(content_hash(a) == content_hash(b));
    CHECK(content_hash(a).size() == 64);
    CHECK(content_hash(a).find_first_not_of("0123456789abcdef") == std::string::npos);
}

TEST_CASE("content_hash differs when any content differs", "[core][parser]") {
    submission base;
    base.practice = "C82001";
    base.level = 3;
    base.themes = {"ab"};
    std::vector<submission> variants(7, base);
    variants[0].level = 4;
    variants[1].practice = "C82002";
    variants[2].themes = {"a", "b"}; // same characters, split differently
    variants[3].note = "";           // empty note is not an absent one
    variants[4].support_requested = "";
    variants[5].themes = {};
    variants[6].note = "x";
    submission swapped = base;
    swapped.support_requested = "x"; // same text in the other field
    const std::string h = content_hash(base);
    for (const auto& v : variants)
        CHECK(content_hash(v) != h);
    CHECK(content_hash(swapped) != content_hash(variants[6]));
}

TEST_CASE("content_hash depends on theme order", "[core][parser]") {
    submission a;
    a.practice = "C82001";
    a.level = 3;
    a.themes = {"ari", "covid"};
    submission b = a;
    b.themes = {"covid", "ari"};
    CHECK(content_hash(a) != content_hash(b));
}

// --- json_out ---------------------------------------------------------------

TEST_CASE("to_json spells a submission with nulls for absent text", "[core][json_out]") {
    submission s;
    s.id = 7;
    s.practice = "C82001";
    s.level = 3;
    s.themes = {"ari"};
    s.support_requested = "staff";
    s.received_at = *parse_time("2026-11-28T09:00:00Z");
    s.reported_at = s.received_at;
    const boost::json::object j = to_json(s);
    CHECK(to_string(j) ==
          R"({"id":7,"practice":"C82001","level":3,"themes":["ari"],"note":null,)"
          R"("support_requested":"staff","received_at":"2026-11-28T09:00:00.000000Z",)"
          R"("reported_at":"2026-11-28T09:00:00.000000Z"})");
}

TEST_CASE("error_body includes field only when there is one", "[core][json_out]") {
    CHECK(to_string(error_body(error{422, "level_out_of_range", "Bad level.", "level"})) ==
          R"({"error":{"code":"level_out_of_range","message":"Bad level.","field":"level"}})");
    CHECK(to_string(error_body(error{400, "malformed_json", "Bad JSON.", ""})) ==
          R"({"error":{"code":"malformed_json","message":"Bad JSON."}})");
}

TEST_CASE("a parsed submission serialises back to the same values", "[core][json_out]") {
    const auto p = accepted(R"({"practice":"C82001","level":2,"themes":["a"],"note":"é"})");
    const boost::json::object j = to_json(p.value);
    CHECK(j.at("note") == "é");
    CHECK(j.at("level") == 2);
    CHECK(j.at("support_requested").is_null());
}
