#pragma once
// Serialisers for the values every channel sends: a submission as the
// contract spells it, and the {"error": {...}} body.

#include "core/error.hpp"
#include "core/types.hpp"

#include <boost/json.hpp>

#include <string>
#include <string_view>

namespace opel::core {

/// `{id, practice, level, themes, note, support_requested, received_at, reported_at}`;
/// an absent note or support_requested is null, times are RFC 3339 UTC.
boost::json::object to_json(const submission& s);

/// serialize(to_json(s)) byte for byte, written straight into a string:
/// the status event of every report is built on the writer thread.
std::string to_json_text(const submission& s);

/// `{"error": {"code", "message", "field"}}`, without `field` when it is empty.
boost::json::object error_body(const error& e);

/// `v` as compact JSON text.
std::string to_string(const boost::json::value& v);

/// Appends `s` to `out` as a JSON string, quoted and escaped byte for byte
/// as Boost.JSON's serializer does (`\"`, `\\`, `\b\f\n\r\t`, other
/// control characters as `\u00xx`, everything else as it is), for writers
/// that build a hot value's text without a `json::value` first.
void append_json_string(std::string& out, std::string_view s);

} // namespace opel::core
