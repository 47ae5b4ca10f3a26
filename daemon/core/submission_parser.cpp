// Parsing and validating a submission, strictly and in one place, so that HTTP,
// ZeroMQ and import refuse exactly the same bodies with exactly the same errors.
//
// Two layers. The JSON layer reads bytes into a Boost.JSON object through our
// own basic_parser handler, because Boost.JSON 1.81 on its own keeps the last
// of duplicate keys silently and reports lone surrogate escapes as a generic
// syntax error; the handler refuses duplicates at any depth, and a pre-check
// and a post-mortem give invalid UTF-8 its own error code. The field layer then
// checks types (400) before values (422), so a request with both kinds of
// fault is reported as malformed first.
#include "core/submission_parser.hpp"

#include "core/crypto.hpp"
#include "core/time.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <unordered_set>
#include <vector>

namespace opel::core {

namespace json = boost::json;

// ---------------------------------------------------------------------------
// Text helpers

bool is_valid_utf8(std::string_view s) {
    // Unicode 15, table 3-7: the second byte's range depends on the first,
    // which is what shuts out overlong forms, surrogates and > U+10FFFF.
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = byte(i);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len = 0;
        unsigned char lo = 0x80, hi = 0xbf;
        if (c >= 0xc2 && c <= 0xdf) {
            len = 2;
        } else if (c >= 0xe0 && c <= 0xef) {
            len = 3;
            lo = c == 0xe0 ? 0xa0 : lo;
            hi = c == 0xed ? 0x9f : hi;
        } else if (c >= 0xf0 && c <= 0xf4) {
            len = 4;
            lo = c == 0xf0 ? 0x90 : lo;
            hi = c == 0xf4 ? 0x8f : hi;
        } else {
            return false;
        }
        if (s.size() - i < len || byte(i + 1) < lo || byte(i + 1) > hi) return false;
        for (std::size_t k = 2; k < len; ++k)
            if ((byte(i + k) & 0xc0) != 0x80) return false;
        i += len;
    }
    return true;
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(std::count_if(
        s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xc0) != 0x80; }));
}

std::optional<std::size_t> find_control_character(std::string_view s) {
    // Control characters are ASCII, so a byte scan of UTF-8 finds each one
    // and nothing else. They are refused because the text ends up in logs,
    // CSV cells, mail and pages, where a NUL cuts a C string short and a
    // lone CR or an escape sequence rewrites what a reader sees.
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 || c == '\t' || c == '\n') continue;
        if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') continue;
        return i;
    }
    return std::nullopt;
}

namespace {

/// "The field 'note' holds the control character U+0000 at character 5; ..."
error control_character_error(std::string_view text, std::size_t at, std::string_view subject,
                              std::string_view field) {
    static constexpr char hex[] = "0123456789ABCDEF";
    const auto c = static_cast<unsigned char>(text[at]);
    return error{422, "control_character",
                 "The " + std::string(subject) + " holds the control character U+00" + hex[c >> 4] +
                     hex[c & 0xf] + " at character " +
                     std::to_string(code_points(text.substr(0, at)) + 1) +
                     "; text may hold tabs and line breaks, but no other control characters.",
                 std::string(field)};
}

} // namespace

std::optional<error> check_control_characters(std::string_view text, std::string_view field) {
    const auto at = find_control_character(text);
    if (!at) return std::nullopt;
    return control_character_error(text, *at, "field '" + std::string(field) + "'", field);
}

std::optional<error> check_idempotency_key(std::string_view key, std::string_view source) {
    const std::string field = "idempotency_key";
    if (!is_valid_utf8(key))
        return error{400, "invalid_utf8",
                     "The " + std::string(source) + " is not valid UTF-8; send it as UTF-8 text.",
                     field};
    const std::size_t n = code_points(key);
    if (n < 1 || n > max_idempotency_key_chars)
        return error{422, n < 1 ? "too_short" : "too_long",
                     "The " + std::string(source) + " must be 1 to " +
                         std::to_string(max_idempotency_key_chars) + " characters; it has " +
                         std::to_string(n) + ".",
                     field};
    if (const auto at = find_control_character(key))
        return control_character_error(key, *at, source, field);
    return std::nullopt;
}

namespace {

std::optional<unsigned> hex4(std::string_view s, std::size_t at) {
    if (at + 4 > s.size()) return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = at; i < at + 4; ++i) {
        const char c = s[i];
        const int d = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
        if (d < 0) return std::nullopt;
        v = v << 4 | static_cast<unsigned>(d);
    }
    return v;
}

// Whether `s` holds a \u escape that is half of a surrogate pair. Escapes come
// in pairs of characters wherever they are legal, so stepping over each pair
// keeps "\\ud800" (an escaped backslash, then text) from matching.
bool has_lone_surrogate_escape(std::string_view s) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
        if (s[i] != '\\') continue;
        const auto unit = s[i + 1] == 'u' ? hex4(s, i + 2) : std::nullopt;
        if (!unit) {
            ++i;
            continue;
        }
        if (*unit >= 0xdc00 && *unit <= 0xdfff) return true;
        if (*unit >= 0xd800 && *unit <= 0xdbff) {
            const bool escaped = s.substr(i + 6, 2) == "\\u";
            const auto low = escaped ? hex4(s, i + 8) : std::nullopt;
            if (!low || *low < 0xdc00 || *low > 0xdfff) return true;
            i += 6;
        }
        i += 5;
    }
    return false;
}

// A client's text quoted for a message, cut at a code point so the message
// stays valid UTF-8 and short whatever the client sent.
std::string quoted(std::string_view s) {
    constexpr std::size_t max_chars = 40;
    std::size_t end = 0, chars = 0;
    while (end < s.size() && chars < max_chars) {
        ++end;
        while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xc0) == 0x80)
            ++end;
        ++chars;
    }
    return "'" + std::string(s.substr(0, end)) + (end < s.size() ? "…'" : "'");
}

// A field name fit for error::field: the client's key, kept short.
std::string field_name(std::string_view key) {
    const std::string q = quoted(key);
    return q.substr(1, q.size() - 2);
}

error bad_request(std::string code, std::string message, std::string field = {}) {
    return error{400, std::move(code), std::move(message), std::move(field)};
}

error unprocessable(std::string code, std::string message, std::string field) {
    return error{422, std::move(code), std::move(message), std::move(field)};
}

} // namespace

// ---------------------------------------------------------------------------
// The JSON layer

namespace {

// A basic_parser handler that builds the value on a value_stack, as Boost's own
// parser does, and in passing refuses duplicate keys at any depth. It also
// keeps integers that overflow 64 bits integers (saturated) rather than letting
// them turn into doubles, so that level 99999999999999999999 reads as an
// out-of-range integer (422), not as a non-integer (400).
class strict_handler {
public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    /// A repeated key: the key, and the top-level field it is in or is.
    struct duplicate {
        std::string key;
        std::string top_field;
        bool at_top = false;
    };

    json::value_stack stack;
    /// Set when the parser was stopped by a repeated key.
    std::optional<duplicate> found_duplicate;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }
    bool on_object_begin(json::error_code&) {
        keys_.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t n, json::error_code&) {
        keys_.pop_back();
        stack.push_object(n);
        return true;
    }
    bool on_array_begin(json::error_code&) {
        ++arrays_open_;
        return true;
    }
    bool on_array_end(std::size_t n, json::error_code&) {
        --arrays_open_;
        stack.push_array(n);
        return true;
    }
    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        key_.append(s.data(), s.size());
        stack.push_chars(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code& ec);
    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        stack.push_chars(s);
        return true;
    }
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        stack.push_string(s);
        return true;
    }
    bool on_number_part(json::string_view s, json::error_code&) {
        number_.append(s.data(), s.size());
        return true;
    }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        number_.clear();
        stack.push_int64(i);
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        number_.clear();
        stack.push_uint64(u);
        return true;
    }
    bool on_double(double d, json::string_view s, json::error_code&);
    bool on_bool(bool b, json::error_code&) {
        stack.push_bool(b);
        return true;
    }
    bool on_null(json::error_code&) {
        stack.push_null();
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

private:
    std::vector<std::unordered_set<std::string>> keys_; ///< one per open object
    std::size_t arrays_open_ = 0;
    std::string key_;       ///< the key being read, across parts
    std::string number_;    ///< the number being read, across parts
    std::string top_field_; ///< the top-level key we are under
};

bool strict_handler::on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key_.append(s.data(), s.size());
    stack.push_key(s);
    const bool at_top = keys_.size() == 1 && arrays_open_ == 0;
    if (at_top) top_field_ = key_;
    const auto [it, fresh] = keys_.back().insert(std::move(key_));
    key_.clear();
    if (fresh) return true;
    found_duplicate = duplicate{*it, top_field_, at_top};
    ec = json::error::syntax; // any error stops the parser; found_duplicate says which
    return false;
}

bool strict_handler::on_double(double d, json::string_view s, json::error_code&) {
    number_.append(s.data(), s.size());
    const bool integer_literal =
        number_.find_first_of(".eE") == std::string::npos && !number_.empty();
    if (integer_literal)
        stack.push_int64(number_[0] == '-' ? std::numeric_limits<std::int64_t>::min()
                                           : std::numeric_limits<std::int64_t>::max());
    else
        stack.push_double(d);
    number_.clear();
    return true;
}

// The error for a body the parser stopped on.
error parse_failure(const strict_handler& h, json::error_code ec, std::string_view body,
                    std::size_t offset) {
    if (const auto& dup = h.found_duplicate)
        return bad_request("duplicate_key",
                           "The key " + quoted(dup->key) + " appears more than once" +
                               (dup->at_top || dup->top_field.empty()
                                    ? std::string()
                                    : " inside " + quoted(dup->top_field)) +
                               "; send each key once.",
                           field_name(dup->top_field));
    if (ec == json::error::too_deep)
        return bad_request("nesting_too_deep",
                           "The body nests arrays or objects too deeply; send a flat object.");
    if (ec == json::error::illegal_leading_surrogate ||
        ec == json::error::illegal_trailing_surrogate || has_lone_surrogate_escape(body))
        return bad_request("invalid_utf8", "The body escapes half of a UTF-16 surrogate pair "
                                           "(such as \\ud800); send valid Unicode text.");
    return bad_request("malformed_json", "The body is not valid JSON (" + ec.message() +
                                             " at byte " + std::to_string(offset) +
                                             "); send one JSON object.");
}

} // namespace

std::variant<json::object, error> parse_json_object(std::string_view body) {
    if (body.size() > max_body_bytes)
        return error{413, "body_too_large", "The body is larger than 64 KiB; send a smaller one.",
                     ""};
    if (body.find_first_not_of(" \t\r\n") == std::string_view::npos)
        return bad_request("empty_body", "The body is empty; send one JSON object.");
    if (!is_valid_utf8(body))
        return bad_request("invalid_utf8", "The body is not valid UTF-8; send it as UTF-8 text.");
    json::basic_parser<strict_handler> parser(json::parse_options{});
    parser.handler().stack.reset();
    json::error_code ec;
    const std::size_t used = parser.write_some(false, body.data(), body.size(), ec);
    if (ec) return parse_failure(parser.handler(), ec, body, used);
    if (used < body.size())
        return bad_request("malformed_json", "The body has more after its JSON value (at byte " +
                                                 std::to_string(used) +
                                                 "); send exactly one JSON object.");
    json::value v = parser.handler().stack.release();
    if (!v.is_object())
        return bad_request("not_an_object",
                           "The body is JSON but not an object; send one "
                           "JSON object such as {\"practice\": ..., \"level\": ...}.");
    return std::move(v.as_object());
}

// ---------------------------------------------------------------------------
// The field layer

namespace {

enum class shape { string, integer, string_array };

// One top-level field: its JSON shape, whether it must be present, and the one
// ingest path it belongs to (nullopt: every path).
struct field_spec {
    std::string_view name;
    shape type;
    bool required;
    std::optional<ingest_kind> only;
};

constexpr std::array<field_spec, 8> field_specs{{
    {"practice", shape::string, true, std::nullopt},
    {"level", shape::integer, true, std::nullopt},
    {"themes", shape::string_array, false, std::nullopt},
    {"note", shape::string, false, std::nullopt},
    {"support_requested", shape::string, false, std::nullopt},
    {"idempotency_key", shape::string, false, std::nullopt},
    {"token", shape::string, false, ingest_kind::zmq},
    {"reported_at", shape::string, true, ingest_kind::import},
}};

const field_spec* find_spec(std::string_view name) {
    const auto it = std::find_if(field_specs.begin(), field_specs.end(),
                                 [&](const field_spec& f) { return f.name == name; });
    return it == field_specs.end() ? nullptr : &*it;
}

bool applies(const field_spec& f, ingest_kind kind) {
    return !f.only || *f.only == kind;
}

bool has_shape(const json::value& v, shape type) {
    switch (type) {
    case shape::string:
        return v.is_string();
    case shape::integer:
        return v.is_int64() || v.is_uint64();
    case shape::string_array:
        return v.is_array() && std::all_of(v.get_array().begin(), v.get_array().end(),
                                           [](const json::value& e) { return e.is_string(); });
    }
    return false;
}

std::string_view shape_words(shape type) {
    switch (type) {
    case shape::string:
        return "a string";
    case shape::integer:
        return "an integer from 1 to 4, written without a decimal point or quotes";
    case shape::string_array:
        return "an array of theme ids (strings)";
    }
    return "";
}

std::string_view path_words(ingest_kind kind) {
    switch (kind) {
    case ingest_kind::http:
        return "over HTTP";
    case ingest_kind::zmq:
        return "over ZeroMQ";
    case ingest_kind::import:
        return "in an import";
    }
    return "";
}

error unknown_field(std::string_view key, const field_spec* spec, ingest_kind kind) {
    std::string message = "The field " + quoted(key) + " is not part of a submission";
    if (spec) message += " sent " + std::string(path_words(kind));
    message += "; remove it.";
    return bad_request("unknown_field", std::move(message), field_name(key));
}

// 400s: every key known on this path, every value of the right shape (null
// standing for an absent optional field), every required field present.
std::optional<error> check_shapes(const json::object& obj, ingest_kind kind) {
    for (const auto& kv : obj) {
        const field_spec* spec = find_spec(kv.key());
        if (!spec || !applies(*spec, kind)) return unknown_field(kv.key(), spec, kind);
        if (kv.value().is_null() && !spec->required) continue;
        if (!has_shape(kv.value(), spec->type))
            return bad_request("wrong_type",
                               "The field '" + std::string(spec->name) + "' must be " +
                                   std::string(shape_words(spec->type)) + ".",
                               std::string(spec->name));
    }
    for (const field_spec& f : field_specs)
        if (f.required && applies(f, kind) && !obj.contains(f.name))
            return bad_request("missing_field",
                               "The field '" + std::string(f.name) + "' is required; add it.",
                               std::string(f.name));
    return std::nullopt;
}

// The string at `name`, or nullopt when it is absent or null; check_shapes has
// already made sure anything else there is a string.
std::optional<std::string> optional_string(const json::object& obj, std::string_view name) {
    const json::value* v = obj.if_contains(name);
    if (!v || v->is_null()) return std::nullopt;
    return std::string(v->get_string());
}

std::optional<error> read_level(const json::value& v, int& level) {
    // uint64 means above INT64_MAX, and the handler saturates longer literals.
    const bool in_range = v.is_int64() && v.get_int64() >= 1 && v.get_int64() <= 4;
    if (!in_range)
        return unprocessable("level_out_of_range", "The level must be 1, 2, 3 or 4.", "level");
    level = static_cast<int>(v.get_int64());
    return std::nullopt;
}

std::optional<error> read_themes(const json::object& obj, std::vector<std::string>& themes) {
    const json::value* v = obj.if_contains("themes");
    if (!v || v->is_null()) return std::nullopt;
    const json::array& list = v->get_array();
    if (list.size() > max_themes)
        return unprocessable("too_many_themes",
                             "A submission may name at most 10 themes; choose the main ones.",
                             "themes");
    for (const json::value& e : list) {
        const std::string_view theme = e.get_string();
        if (theme.empty())
            return unprocessable("empty_theme", "A theme id is empty; remove it.", "themes");
        if (auto e = check_control_characters(theme, "themes")) return e;
        if (std::find(themes.begin(), themes.end(), theme) != themes.end())
            return unprocessable("duplicate_theme",
                                 "The theme " + quoted(theme) + " is named twice; name it once.",
                                 "themes");
        themes.emplace_back(theme);
    }
    return std::nullopt;
}

// Optional text of at most `max_chars` code points and no control character
// but tab and line breaks.
std::optional<error> read_text(const json::object& obj, std::string_view name,
                               std::size_t max_chars, std::optional<std::string>& out) {
    out = optional_string(obj, name);
    if (!out) return std::nullopt;
    const std::size_t n = code_points(*out);
    if (n > max_chars)
        return unprocessable("too_long",
                             "The field '" + std::string(name) + "' must be at most " +
                                 std::to_string(max_chars) + " characters; it has " +
                                 std::to_string(n) + ".",
                             std::string(name));
    return check_control_characters(*out, name);
}

std::optional<error> read_reported_at(const json::object& obj, time_point& reported_at) {
    const auto text = optional_string(obj, "reported_at");
    const auto t = text ? parse_time(*text) : std::nullopt;
    if (!t)
        return unprocessable("invalid_time",
                             "reported_at must be an RFC 3339 date-time such as "
                             "2026-11-28T09:00:00Z.",
                             "reported_at");
    reported_at = *t;
    return std::nullopt;
}

// 422s, in field order: values that are the right shape but not allowed.
std::optional<error> read_values(const json::object& obj, ingest_kind kind,
                                 parsed_submission& out) {
    submission& s = out.value;
    s.practice = obj.at("practice").get_string();
    if (auto e = check_control_characters(s.practice, "practice")) return e;
    if (auto e = read_level(obj.at("level"), s.level)) return e;
    if (auto e = read_themes(obj, s.themes)) return e;
    if (auto e = read_text(obj, "note", max_note_chars, s.note)) return e;
    if (auto e = read_text(obj, "support_requested", max_support_chars, s.support_requested))
        return e;
    s.idempotency_key = optional_string(obj, "idempotency_key");
    if (s.idempotency_key)
        if (auto e = check_idempotency_key(*s.idempotency_key, "field 'idempotency_key'"))
            return e;
    if (kind == ingest_kind::zmq) out.token = optional_string(obj, "token");
    if (kind == ingest_kind::import) return read_reported_at(obj, s.reported_at);
    return std::nullopt;
}

} // namespace

std::variant<parsed_submission, error> parse_submission(std::string_view body, ingest_kind kind) {
    auto parsed = parse_json_object(body);
    if (auto* e = std::get_if<error>(&parsed)) return std::move(*e);
    const json::object& obj = std::get<json::object>(parsed);
    if (auto e = check_shapes(obj, kind)) return std::move(*e);
    parsed_submission out;
    if (auto e = read_values(obj, kind, out)) return std::move(*e);
    return out;
}

std::optional<error> check_references(const submission& s,
                                      const std::function<bool(std::string_view)>& known_practice,
                                      const std::function<bool(std::string_view)>& known_theme) {
    if (!known_practice(s.practice))
        return unprocessable("unknown_practice",
                             "The practice " + quoted(s.practice) +
                                 " is not in this deployment's practices file; check the ODS code.",
                             "practice");
    for (const std::string& theme : s.themes)
        if (!known_theme(theme))
            return unprocessable("unknown_theme",
                                 "The theme " + quoted(theme) +
                                     " is not declared in the rules file; use a declared theme id.",
                                 "themes");
    return std::nullopt;
}

std::string content_hash(const submission& s) {
    // A JSON array is an unambiguous encoding: no two contents serialise alike,
    // so no two can share a hash by concatenation.
    json::array themes(s.themes.begin(), s.themes.end());
    const json::value null_or_note = s.note ? json::value(*s.note) : json::value(nullptr);
    const json::value null_or_support =
        s.support_requested ? json::value(*s.support_requested) : json::value(nullptr);
    const json::array canonical{s.practice, s.level, std::move(themes), null_or_note,
                                null_or_support};
    const sha256_digest digest = sha256(json::serialize(canonical));
    return to_hex(digest);
}

} // namespace opel::core
