// RFC 3339 formatting and parsing over Howard Hinnant's date library.
#include "core/time.hpp"

// date::parse's fraction handling trips a false -Wmaybe-uninitialized in GCC
// 12 once inlined here; the value is always written before it is read.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <date/date.h>

#include <sstream>

namespace opel::core {

std::string format_time(time_point t) {
    return date::format("%FT%TZ", t);
}

std::optional<time_point> parse_time(std::string_view s) {
    // date::parse handles the fraction with %S on a microsecond time_point;
    // %Ez accepts "+01:00" but not "Z", so the two forms are tried in turn.
    if (s.size() < 20 || s.size() > 40 || (s[10] != 'T' && s[10] != 't'))
        return std::nullopt;
    std::string text(s);
    text[10] = 'T';
    for (const char* fmt : {"%FT%TZ", "%FT%Tz", "%FT%T%Ez"}) {
        std::istringstream in(text);
        time_point t;
        in >> date::parse(fmt, t);
        if (!in.fail() && in.peek() == std::char_traits<char>::eof())
            return t;
    }
    return std::nullopt;
}

} // namespace opel::core
