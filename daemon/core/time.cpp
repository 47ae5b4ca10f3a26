// RFC 3339 formatting and parsing, by hand over Howard Hinnant's date library's calendar.
#include "core/time.hpp"

#include <date/date.h>

namespace opel::core {

namespace {

bool digits(std::string_view s, std::size_t from, std::size_t n) {
    for (std::size_t i = from; i < from + n; ++i)
        if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
    return true;
}

/// Whether `s` has RFC 3339's shape, `YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM)`.
/// Checked before date::parse, whose seconds field reads a floating-point
/// number and so takes "nan", "inf" or "1e9" there (a NaN it then converts to
/// an integer, which is undefined behaviour).
bool rfc3339_shape(std::string_view s) {
    if (!digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' ||
        !digits(s, 8, 2) || !digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) ||
        s[16] != ':' || !digits(s, 17, 2))
        return false;
    std::size_t i = 19;
    if (i < s.size() && s[i] == '.') {
        const std::size_t from = ++i;
        while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
        if (i == from) return false;
    }
    const auto zone = s.substr(i);
    if (zone == "Z" || zone == "z") return true;
    return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2) &&
           zone[3] == ':' && digits(zone, 4, 2);
}

} // namespace

std::string format_time(time_point t) {
    // Every event and every answer carries a time, so this is on the ingest
    // path several times per submission: date::format builds an ostream and
    // imbues a locale per call, which profiled at ~30% of the daemon's
    // instructions under load. The fixed form is written by hand instead.
    const auto day = date::floor<date::days>(t);
    const date::year_month_day ymd{day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999)
        return date::format("%FT%TZ", t);
    auto us = (t - day).count(); // microseconds since midnight
    char out[] = "0000-00-00T00:00:00.000000Z";
    const auto put = [&out](std::size_t at, std::size_t width, long long v) {
        for (std::size_t i = at + width; i-- > at; v /= 10)
            out[i] = static_cast<char>('0' + v % 10);
    };
    put(0, 4, year);
    put(5, 2, static_cast<unsigned>(ymd.month()));
    put(8, 2, static_cast<unsigned>(ymd.day()));
    put(20, 6, us % 1000000);
    us /= 1000000;
    put(17, 2, us % 60);
    put(14, 2, us / 60 % 60);
    put(11, 2, us / 3600);
    return std::string(out, sizeof out - 1);
}

std::optional<time_point> parse_time(std::string_view s) {
    // Every import line and every report with reported_at comes through here:
    // date::parse through an istringstream was about 7,000 instructions a call
    // (a locale imbued per stream, three formats tried). The shape checked,
    // the fields are read by hand; the calendar is the date library's. Same
    // answers as date::parse with "%FT%TZ", "%FT%Tz", then "%FT%T%Ez" (a
    // test holds the two equal): a fraction of at most 6 digits, no second
    // 60, and the offset's hours and minutes taken as written.
    if (s.size() < 20 || s.size() > 40 || (s[10] != 'T' && s[10] != 't'))
        return std::nullopt;
    if (!rfc3339_shape(s)) return std::nullopt;
    const auto num = [s](std::size_t at, std::size_t n) {
        int v = 0;
        for (std::size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
        return v;
    };
    const date::year_month_day ymd{date::year{num(0, 4)},
                                   date::month{static_cast<unsigned>(num(5, 2))},
                                   date::day{static_cast<unsigned>(num(8, 2))}};
    const int hour = num(11, 2), minute = num(14, 2), second = num(17, 2);
    if (!ymd.ok() || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    std::size_t i = 19;
    int micros = 0;
    if (s[i] == '.') {
        const std::size_t from = ++i;
        while (s[i] >= '0' && s[i] <= '9') ++i; // the shape ends in a zone, never here
        const auto n = i - from;
        if (n > 6) return std::nullopt;
        micros = num(from, n);
        for (auto k = n; k < 6; ++k) micros *= 10;
    }
    std::chrono::minutes offset{0};
    if (s[i] == '+' || s[i] == '-') {
        offset = std::chrono::minutes{num(i + 1, 2) * 60 + num(i + 4, 2)};
        if (s[i] == '-') offset = -offset;
    }
    return time_point{date::sys_days{ymd}} + std::chrono::hours{hour} +
           std::chrono::minutes{minute} + std::chrono::seconds{second} +
           std::chrono::microseconds{micros} - offset;
}

} // namespace opel::core
