// format_time writes RFC 3339 by hand for speed: it must agree with the
// date library's own formatting everywhere, and parse back to the same time.
#include "core/time.hpp"

#include <catch2/catch.hpp>
#include <date/date.h>

#include <cstdint>
#include <optional>
#include <sstream>

using opel::core::format_time;
using opel::core::parse_time;
using opel::core::time_point;

namespace {

time_point at(std::int64_t us) { return time_point{std::chrono::microseconds{us}}; }

std::string reference(time_point t) { return date::format("%FT%TZ", t); }

// parse_time as it was, over date::parse: the hand-written one must agree.
// (Its shape check is parse_time's own: date::parse alone takes "nan" for
// seconds, so only strings of RFC 3339's shape are compared with it.)
std::optional<time_point> reference_parse(std::string text) {
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

} // namespace

TEST_CASE("format_time agrees with date::format at the edges") {
    constexpr std::int64_t day = 86'400'000'000;
    for (std::int64_t us : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{1}, day - 1, day,
                            -day, -day - 1,
                            std::int64_t{951'782'400'000'000},     // 2000-02-29
                            std::int64_t{1'669'593'599'999'999},   // 2022-11-27T23:59:59.999999
                            std::int64_t{253'402'300'799'999'999}, // 9999-12-31T23:59:59.999999
                            std::int64_t{253'402'300'800'000'000}, // year 10000
                            std::int64_t{-62'167'219'200'000'000}, // 0000-01-01
                            std::int64_t{-62'167'219'200'000'001}}) {
        INFO(us);
        CHECK(format_time(at(us)) == reference(at(us)));
    }
    CHECK(format_time(at(1'669'593'599'999'999)) == "2022-11-27T23:59:59.999999Z");
}

TEST_CASE("format_time agrees with date::format and parses back, over many times") {
    std::uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 20000; ++i) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        // 1900 to 2200, any microsecond.
        const auto us = static_cast<std::int64_t>(x % 9'467'280'000'000'000ull) -
                        2'208'988'800'000'000;
        const auto s = format_time(at(us));
        INFO(us);
        REQUIRE(s == reference(at(us)));
        REQUIRE(parse_time(s) == at(us));
    }
}

TEST_CASE("parse_time agrees with date::parse at the edges") {
    for (const char* s :
         {"2026-01-01T00:00:00Z", "2026-01-01t00:00:00z", "2024-02-29T12:00:00Z",
          "2026-02-29T12:00:00Z", "2026-04-31T00:00:00Z", "2026-13-01T00:00:00Z",
          "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "0000-01-01T00:00:00Z",
          "9999-12-31T23:59:59.999999Z", "2026-01-01T24:00:00Z", "2026-01-01T00:60:00Z",
          "2026-01-01T00:00:60Z", "2026-01-01T00:00:00.1Z", "2026-01-01T00:00:00.123456Z",
          "2026-01-01T00:00:00.1234567Z", "2026-01-01T00:00:00.000000000000001Z",
          "2026-01-01T00:00:00+01:00", "2026-01-01T00:00:00-05:30", "2026-01-01T00:00:00-00:00",
          "2026-01-01T00:00:00+23:59", "2026-01-01T00:00:00+24:00", "2026-01-01T00:00:00+01:60",
          "2026-01-01T00:00:00+99:99", "2026-03-29T01:30:00.5+01:00"}) {
        INFO(s);
        CHECK(parse_time(s) == reference_parse(s));
    }
    // Not RFC 3339's shape: refused before any field is read.
    for (const char* s : {"2026-01-01T00:00:00", "2026-01-01T00:00:00.Z",
                          "2026-01-01T00:00:00+0100", "2026-01-01T00:00:00 Z",
                          "2026-01-01 00:00:00Z", "2026-01-01T00:00:0nZ",
                          "2026-01-01T00:00:00ZZ", "2026-01-01T00:00:nanZ",
                          "2026-1-01T00:00:00Z"}) {
        INFO(s);
        CHECK_FALSE(parse_time(s));
    }
    CHECK(parse_time("2026-01-01T00:00:00.5+01:00") == at(1'767'222'000'500'000));
}

TEST_CASE("parse_time agrees with date::parse over many strings of RFC 3339's shape") {
    std::uint64_t x = 2463534242ull;
    const auto next = [&x](std::uint64_t n) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        return x % n;
    };
    const auto two = [&](std::uint64_t n) {
        const auto v = next(n);
        return std::string{static_cast<char>('0' + v / 10), static_cast<char>('0' + v % 10)};
    };
    int parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        // Each field over a little more than its range, so both sides of every bound come up.
        std::string s = std::to_string(1000 + next(9000)) + "-" + two(14) + "-" + two(33) + "T" +
                        two(26) + ":" + two(62) + ":" + two(62);
        if (const auto digits = next(9); digits > 0) {
            s += '.';
            for (std::uint64_t d = 0; d < digits; ++d)
                s += static_cast<char>('0' + next(10));
        }
        switch (next(4)) {
        case 0: s += 'Z'; break;
        case 1: s += 'z'; break;
        default: s += (next(2) ? '+' : '-') + two(30) + ":" + two(65);
        }
        INFO(s);
        const auto got = parse_time(s);
        REQUIRE(got == reference_parse(s));
        parsed += got.has_value();
    }
    CHECK(parsed > 2000); // both answers came up often
    CHECK(parsed < 18000);
}
