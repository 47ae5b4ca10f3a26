// Presentation shared by the commands that print for a person. Colour follows
// the OPEL table's own (core::level_of), and only reaches a terminal that has
// not asked for NO_COLOR, so pipes and files get plain text.
#include "output.hpp"

#include "core/opel_level.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <ostream>

namespace opel::ctl {

namespace {

/// Characters in UTF-8 text: every byte that does not continue a sequence.
std::size_t width_of(const std::string& s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

std::string ansi_for(std::string_view colour) {
    if (colour == "green")
        return "\x1b[32m";
    if (colour == "yellow")
        return "\x1b[33m";
    if (colour == "amber")
        return "\x1b[38;5;208m";
    if (colour == "red")
        return "\x1b[1;31m";
    return {};
}

std::string padded(const std::string& s, std::size_t width) {
    return s + std::string(width - std::min(width, width_of(s)), ' ');
}

} // namespace

bool colour_wanted() {
    const char* no_colour = std::getenv("NO_COLOR");
    return isatty(STDOUT_FILENO) && (!no_colour || !*no_colour);
}

bool stderr_is_terminal() { return isatty(STDERR_FILENO); }

std::string paint(const std::string& text, int level, bool colour) {
    if (!colour || level < 1 || level > 4)
        return text;
    return ansi_for(core::level_of(level).colour) + text + "\x1b[0m";
}

int level_number(const boost::json::value& level) {
    return level.is_int64() ? static_cast<int>(level.get_int64()) : 0;
}

std::string level_label(const boost::json::value& level) {
    const int n = level_number(level);
    if (n < 1 || n > 4)
        return "-";
    return std::to_string(n) + " " + std::string(core::level_of(n).name);
}

std::string cell(const boost::json::value& v) {
    if (v.is_null())
        return "-";
    if (v.is_string())
        return std::string(v.get_string());
    if (v.is_bool())
        return v.get_bool() ? "yes" : "no";
    if (v.is_array()) {
        std::string out;
        for (const auto& item : v.get_array())
            out += (out.empty() ? "" : ",") + cell(item);
        return out.empty() ? "-" : out;
    }
    return boost::json::serialize(v);
}

std::string short_time(const boost::json::value& v) {
    // The seconds say nothing a person acts on; the zone and year do.
    return words().time(v);
}

const boost::json::value& field(const boost::json::value& o, const char* key) {
    static const boost::json::value null_value;
    if (!o.is_object())
        return null_value;
    const auto* v = o.get_object().if_contains(key);
    return v ? *v : null_value;
}

void print_table(std::ostream& out, const std::vector<std::string>& headers,
                 const std::vector<table_row>& rows, bool colour) {
    std::vector<std::size_t> widths(headers.size());
    for (std::size_t i = 0; i < headers.size(); ++i)
        widths[i] = width_of(headers[i]);
    for (const auto& r : rows)
        for (std::size_t i = 0; i < r.cells.size() && i < widths.size(); ++i)
            widths[i] = std::max(widths[i], width_of(r.cells[i]));
    const auto line = [&](const std::vector<std::string>& cells) {
        std::string text;
        for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i)
            text += i + 1 == cells.size() ? cells[i] : padded(cells[i], widths[i]) + "  ";
        return text;
    };
    out << line(headers) << "\n";
    for (const auto& r : rows)
        out << paint(line(r.cells), r.level, colour) << "\n";
}

} // namespace opel::ctl
