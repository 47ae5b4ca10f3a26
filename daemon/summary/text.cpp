// Escaping text that practices wrote (names, notes, support requests) before
// it goes into a page or a spreadsheet: the summary is read by people with
// more access than the practice that wrote the text, so nothing a practice
// types may become markup or a formula.
#include "summary/text.hpp"

namespace opel::summary {

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (const char c : s) {
        switch (c) {
        case '&':
            out += "&amp;";
            break;
        case '<':
            out += "&lt;";
            break;
        case '>':
            out += "&gt;";
            break;
        case '"':
            out += "&quot;";
            break;
        case '\'':
            out += "&#39;";
            break;
        default:
            out += c;
        }
    }
    return out;
}

std::string csv_field(std::string_view s) {
    std::string text;
    // Spreadsheets evaluate a cell that starts like a formula (CSV injection),
    // and some trim leading blanks first, so " =1+1" is a formula too; a
    // leading apostrophe makes it plain text and shows as nothing in Excel.
    const auto first = s.find_first_not_of(" \t\r\n");
    const bool formula = first != std::string_view::npos &&
                         std::string_view("=+-@").find(s[first]) != std::string_view::npos;
    const bool control_first = !s.empty() && (s.front() == '\t' || s.front() == '\r');
    if (formula || control_first)
        text += '\'';
    text += s;
    // Quoted also when it holds the other separators a spreadsheet may be set
    // to split on (';' in much of Europe, tab), so the cell stays one cell.
    if (text.find_first_of(",;\t\"\r\n") == std::string::npos) return text;
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"') out += '"';
        out += c;
    }
    out += '"';
    return out;
}

std::string csv_row(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0) out += ',';
        out += csv_field(fields[i]);
    }
    out += "\r\n";
    return out;
}

std::string text_of(const boost::json::value* v) {
    if (!v) return {};
    switch (v->kind()) {
    case boost::json::kind::string:
        return std::string(v->get_string());
    case boost::json::kind::int64:
        return std::to_string(v->get_int64());
    case boost::json::kind::uint64:
        return std::to_string(v->get_uint64());
    case boost::json::kind::bool_:
        return v->get_bool() ? "true" : "false";
    case boost::json::kind::null:
        return {};
    default:
        return boost::json::serialize(*v);
    }
}

std::string member_text(const boost::json::object& o, std::string_view key) {
    return text_of(o.if_contains(key));
}

} // namespace opel::summary
