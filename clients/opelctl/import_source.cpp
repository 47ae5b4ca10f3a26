// The reading half of `opelctl import`. NDJSON lines go to the server as
// they are (it validates them, with line numbers); CSV rows become the same
// JSON. The CSV header names its columns (practice, level, themes, note,
// support_requested, reported_at, in any order), themes are separated by
// ';', and quoting follows RFC 4180, so a note may hold commas, quotes and
// line breaks. A level that is not an integer is sent as text so that the
// server refuses it with its usual message rather than this file guessing.
#include "import_source.hpp"

#include "ctl_error.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <array>

namespace opel::ctl {

namespace {

constexpr std::array<std::string_view, 6> known_columns{
    "practice", "level", "themes", "note", "support_requested", "reported_at"};

bool is_integer(const std::string& s) {
    const auto digits = s.substr(!s.empty() && s[0] == '-' ? 1 : 0);
    return !digits.empty() && digits.size() < 10 &&
           std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; });
}

boost::json::array split_themes(const std::string& text) {
    boost::json::array out;
    std::size_t start = 0;
    while (start <= text.size()) {
        auto end = text.find(';', start);
        if (end == std::string::npos)
            end = text.size();
        auto item = text.substr(start, end - start);
        item.erase(0, item.find_first_not_of(' '));
        item.erase(item.find_last_not_of(' ') + 1);
        if (!item.empty())
            out.emplace_back(item);
        start = end + 1;
    }
    return out;
}

} // namespace

import_format pick_format(const std::string& name, const std::string& path, std::istream& in) {
    if (name == "csv" || (name.empty() && path.ends_with(".csv")))
        return import_format::csv;
    if (!name.empty() || path.ends_with(".ndjson") || path.ends_with(".jsonl"))
        return import_format::ndjson;
    // No hint: a JSON object opens with '{'; anything else is taken as CSV.
    char c = ' ';
    while (in.get(c) && (c == ' ' || c == '\n' || c == '\r' || c == '\t')) {
    }
    in.clear();
    in.seekg(0);
    return c == '{' ? import_format::ndjson : import_format::csv;
}

import_source::import_source(std::istream& in, import_format format) : in_(in), format_(format) {
    if (format_ != import_format::csv)
        return;
    std::size_t first = 0;
    if (!read_record(columns_, first))
        throw usage_error("the CSV file is empty: it needs a header row");
    for (const auto& c : columns_)
        if (std::find(known_columns.begin(), known_columns.end(), c) == known_columns.end())
            throw usage_error("line 1: unknown CSV column \"" + c +
                              "\" (known: practice, level, themes, note, support_requested, "
                              "reported_at)");
}

bool import_source::read_physical(std::string& line) {
    if (!std::getline(in_, line))
        return false;
    ++line_;
    consumed_ += line.size() + 1;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return true;
}

bool import_source::read_record(std::vector<std::string>& fields, std::size_t& first_line) {
    std::string line;
    do {
        if (!read_physical(line))
            return false;
    } while (line.empty()); // blank lines separate nothing in a history file
    first_line = line_;
    fields.assign(1, std::string());
    bool quoted = false;
    for (std::size_t i = 0;; ++i) {
        if (i == line.size()) {
            if (!quoted)
                return true;
            // A quoted field runs on over the line break.
            if (!read_physical(line))
                throw usage_error("line " + std::to_string(first_line) +
                                  ": a quoted field is never closed");
            fields.back() += '\n';
            i = static_cast<std::size_t>(-1);
            continue;
        }
        const char c = line[i];
        if (quoted && c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
            fields.back() += '"';
            ++i;
        } else if (c == '"' && (quoted || fields.back().empty())) {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else {
            fields.back() += c;
        }
    }
}

import_line import_source::convert(const std::vector<std::string>& fields,
                                   std::size_t line) const {
    if (fields.size() != columns_.size())
        return {line, {}, "expected " + std::to_string(columns_.size()) + " fields, found " +
                              std::to_string(fields.size())};
    boost::json::object o;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const auto& name = columns_[i];
        const auto& v = fields[i];
        if (name == "level")
            o[name] = is_integer(v) ? boost::json::value(std::stoll(v)) : boost::json::value(v);
        else if (name == "themes") {
            auto themes = split_themes(v);
            if (!themes.empty())
                o[name] = std::move(themes);
        } else if (!v.empty() || name == "practice")
            o[name] = v;
    }
    return {line, boost::json::serialize(o), {}};
}

std::optional<import_line> import_source::next() {
    if (format_ == import_format::csv) {
        std::vector<std::string> fields;
        std::size_t first = 0;
        if (!read_record(fields, first))
            return std::nullopt;
        return convert(fields, first);
    }
    std::string line;
    do {
        if (!read_physical(line))
            return std::nullopt;
    } while (line.find_first_not_of(" \t") == std::string::npos);
    return import_line{line_, line, {}};
}

} // namespace opel::ctl
