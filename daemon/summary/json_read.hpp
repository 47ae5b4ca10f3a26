#pragma once
// Reading a built summary or report back (JSON) for its HTML, text and CSV
// forms: a missing or mistyped member reads as empty or zero, so a renderer
// never throws on a stored document from an older version.

#include <boost/json.hpp>

#include <cstdint>
#include <string_view>

namespace opel::summary {

/// Member `key` of `o` if it is an object, else an empty object.
inline const boost::json::object& object_at(const boost::json::object& o, std::string_view key) {
    static const boost::json::object empty;
    const auto* v = o.if_contains(key);
    return v && v->is_object() ? v->get_object() : empty;
}

/// Member `key` of `o` if it is an array, else an empty array.
inline const boost::json::array& array_at(const boost::json::object& o, std::string_view key) {
    static const boost::json::array empty;
    const auto* v = o.if_contains(key);
    return v && v->is_array() ? v->get_array() : empty;
}

/// Member `key` of `o` if it is an integer, else 0.
inline std::int64_t count_at(const boost::json::object& o, std::string_view key) {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->get_int64() : 0;
}

} // namespace opel::summary
