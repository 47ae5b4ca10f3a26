// format_time writes RFC 3339 by hand for speed: it must agree with the
// date library's own formatting everywhere, and parse back to the same time.
#include "core/time.hpp"

#include <catch2/catch.hpp>
#include <date/date.h>

#include <cstdint>

using opel::core::format_time;
using opel::core::parse_time;
using opel::core::time_point;

namespace {

time_point at(std::int64_t us) { return time_point{std::chrono::microseconds{us}}; }

std::string reference(time_point t) { return date::format("%FT%TZ", t); }

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
