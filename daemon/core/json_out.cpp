// How a submission and an error look on the wire. Every channel (HTTP answers,
// ZeroMQ replies, events, webhooks) serialises through here so that one field
// name or null-versus-absent choice cannot drift between them.
#include "core/json_out.hpp"

#include "core/time.hpp"

#include <charconv>
#include <cstdint>
#include <cstring>

namespace opel::core {

namespace {

// Absent optional text is spelled null rather than left out so that clients
// see every field of a submission on every channel.
boost::json::value optional_text(const std::optional<std::string>& s) {
    if (!s) return nullptr;
    return boost::json::string(*s);
}

} // namespace

boost::json::object to_json(const submission& s) {
    boost::json::array themes;
    themes.reserve(s.themes.size());
    for (const auto& t : s.themes)
        themes.emplace_back(t);
    return boost::json::object{
        {"id", s.id},
        {"practice", s.practice},
        {"level", s.level},
        {"themes", std::move(themes)},
        {"note", optional_text(s.note)},
        {"support_requested", optional_text(s.support_requested)},
        {"received_at", format_time(s.received_at)},
        {"reported_at", format_time(s.reported_at)},
    };
}

std::string to_json_text(const submission& s) {
    // The keys in to_json's order; strings escaped as its serializer does.
    std::string out;
    out.reserve(200 + s.practice.size() + 24 * s.themes.size() +
                (s.note ? s.note->size() : 0) +
                (s.support_requested ? s.support_requested->size() : 0));
    const auto optional = [&out](const char* key, const std::optional<std::string>& v) {
        out += key;
        if (v)
            append_json_string(out, *v);
        else
            out += "null";
    };
    char digits[24];
    (out += "{\"id\":").append(digits, std::to_chars(digits, digits + sizeof digits, s.id).ptr);
    out += ",\"practice\":";
    append_json_string(out, s.practice);
    (out += ",\"level\":")
        .append(digits, std::to_chars(digits, digits + sizeof digits, s.level).ptr);
    out += ",\"themes\":[";
    for (std::size_t i = 0; i < s.themes.size(); ++i) {
        if (i > 0)
            out += ',';
        append_json_string(out, s.themes[i]);
    }
    out += ']';
    optional(",\"note\":", s.note);
    optional(",\"support_requested\":", s.support_requested);
    ((out += ",\"received_at\":\"") += format_time(s.received_at)) += '"';
    ((out += ",\"reported_at\":\"") += format_time(s.reported_at)) += "\"}";
    return out;
}

boost::json::object error_body(const error& e) {
    boost::json::object inner{{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) inner["field"] = e.field;
    return boost::json::object{{"error", std::move(inner)}};
}

std::string to_string(const boost::json::value& v) {
    return boost::json::serialize(v);
}

namespace {

/// Whether any of the eight bytes of `x` needs escaping: below 0x20, a
/// quote or a backslash (bytes from 0x80, UTF-8, never do).
bool any_to_escape(std::uint64_t x) {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    const auto below_space = (x - ones * 0x20) & ~x & highs;
    const auto q = x ^ (ones * '"');
    const auto b = x ^ (ones * '\\');
    return (below_space | ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs)) != 0;
}

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    const char* p = s.data();
    const char* const end = p + s.size();
    const char* plain = p; // start of the run not yet copied
    while (p < end) {
        // Eight bytes at a time while none needs escaping: most texts have
        // nothing to escape at all.
        std::uint64_t x;
        while (end - p >= 8 && (std::memcpy(&x, p, 8), !any_to_escape(x)))
            p += 8;
        if (p == end)
            break;
        const auto c = static_cast<unsigned char>(*p++);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(plain, static_cast<std::size_t>(p - 1 - plain));
        plain = p;
        out += '\\';
        switch (c) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '\b': out += 'b'; break;
        case '\f': out += 'f'; break;
        case '\n': out += 'n'; break;
        case '\r': out += 'r'; break;
        case '\t': out += 't'; break;
        default:
            out += "u00";
            out += hex[c >> 4];
            out += hex[c & 0xf];
        }
    }
    out.append(plain, static_cast<std::size_t>(end - plain));
    out += '"';
}

} // namespace opel::core
