// How a submission and an error look on the wire. Every channel (HTTP answers,
// ZeroMQ replies, events, webhooks) serialises through here so that one field
// name or null-versus-absent choice cannot drift between them.
#include "core/json_out.hpp"

#include "core/time.hpp"

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

boost::json::object error_body(const error& e) {
    boost::json::object inner{{"code", e.code}, {"message", e.message}};
    if (!e.field.empty()) inner["field"] = e.field;
    return boost::json::object{{"error", std::move(inner)}};
}

std::string to_string(const boost::json::value& v) {
    return boost::json::serialize(v);
}

void append_json_string(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    out += '"';
    std::size_t plain = 0; // start of the run not yet copied
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        out.append(s.data() + plain, i - plain);
        plain = i + 1;
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
    out.append(s.data() + plain, s.size() - plain);
    out += '"';
}

} // namespace opel::core
