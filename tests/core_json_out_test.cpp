// append_json_string against Boost.JSON's serializer, byte for byte: the
// hot writers build alert and event texts with it, and a client parsing them
// must see what a json::value would have given.
#include "core/json_out.hpp"

#include <catch2/catch.hpp>

#include <random>
#include <string>

namespace {

std::string ours(std::string_view s) {
    std::string out = "x"; // appended to, not replaced
    opel::core::append_json_string(out, s);
    return out;
}

std::string boosts(std::string_view s) {
    return "x" + boost::json::serialize(boost::json::string_view(s.data(), s.size()));
}

} // namespace

TEST_CASE("a JSON string is escaped as Boost.JSON escapes it", "[core]") {
    for (const auto& s : {std::string(), std::string("plain text, longer than eight"),
                                std::string("\"quoted\" and back\\slash"),
                                std::string("tab\there\nnew line\r\b\f"),
                                std::string("\x01\x1f\x7f end"), std::string(1, '\0'),
                                std::string("Practice \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x9a\x91"),
                                std::string("12345678\"12345678\\")})
        CHECK(ours(s) == boosts(s));
}

TEST_CASE("random strings are escaped as Boost.JSON escapes them", "[core]") {
    std::mt19937 rng(20261207);
    // Mostly plain bytes, with the ones that need escaping now and then, at
    // every offset of an eight-byte block.
    const std::string specials =
        std::string("\"\\\n\t\x01\x1f\b\f\r\x7f", 10) + std::string(1, '\0');
    for (int round = 0; round < 20000; ++round) {
        std::string s(std::uniform_int_distribution<std::size_t>(0, 40)(rng), ' ');
        for (auto& c : s) {
            const auto pick = std::uniform_int_distribution<int>(0, 99)(rng);
            if (pick < 5)
                c = specials[std::uniform_int_distribution<std::size_t>(0, specials.size() - 1)(
                    rng)];
            else if (pick < 15)
                c = static_cast<char>(std::uniform_int_distribution<int>(0x80, 0xff)(rng));
            else
                c = static_cast<char>(std::uniform_int_distribution<int>(0x20, 0x7f)(rng));
        }
        INFO("round " << round);
        REQUIRE(ours(s) == boosts(s));
    }
}

TEST_CASE("a submission's JSON text is serialize(to_json) byte for byte", "[core]") {
    using namespace std::chrono;
    opel::core::submission s;
    s.id = 123456789;
    s.practice = "C82001";
    s.level = 4;
    s.received_at = opel::core::time_point{seconds{1'796'000'000} + microseconds{123'456}};
    s.reported_at = opel::core::time_point{seconds{1'795'990'000}};
    const auto same = [](const opel::core::submission& x) {
        return opel::core::to_json_text(x) ==
               boost::json::serialize(opel::core::to_json(x));
    };
    CHECK(same(s)); // no themes, note or request: an empty array and nulls
    s.themes = {"workforce", "it_systems", "a \"quoted\" \\ theme"};
    s.note = "Two GPs off sick.\nPhones down since 08:00 \xe2\x80\x94 \x01\t";
    s.support_requested = std::string(3000, 's');
    CHECK(same(s));
    s.id = -1;
    s.level = 0;
    s.note = std::string();
    s.support_requested.reset();
    s.practice = std::string("Y\0Z", 3);
    CHECK(same(s));
}
