#pragma once
// Escaping practice-supplied text for the two text forms: HTML and CSV.

#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace opel::summary {

/// `s` safe as HTML text or a quoted attribute value: & < > " ' escaped.
std::string html_escape(std::string_view s);

/// One RFC 4180 field: quoted when it holds a comma, semicolon, tab, quote,
/// CR or LF (quotes doubled); a field whose first character after leading
/// blanks is = + - or @, or that starts with a tab or CR, gets a leading ' so
/// spreadsheets do not run it.
std::string csv_field(std::string_view s);

/// The fields as one CSV record, ended by CRLF.
std::string csv_row(const std::vector<std::string>& fields);

/// A JSON value as cell or page text: strings as they are, numbers in
/// decimal, booleans as true/false, null (or a missing member) as "".
std::string text_of(const boost::json::value* v);

/// Member `key` of `o` as text_of does; "" when missing.
std::string member_text(const boost::json::object& o, std::string_view key);

} // namespace opel::summary
