// core/crypto: SHA-256 and HMAC-SHA256 against published vectors, hex in and
// out, and constant-time comparison.
#include "core/crypto.hpp"

#include <catch2/catch.hpp>

#include <cctype>
#include <string>

using namespace opel::core;

namespace {

std::span<const std::uint8_t> bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

} // namespace

TEST_CASE("sha256 matches the FIPS 180-2 vectors", "[core][crypto]") {
    CHECK(to_hex(sha256("abc")) ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(to_hex(sha256("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")) ==
          "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("sha256 of empty input, with and without a data pointer", "[core][crypto]") {
    const std::string empty_hex =
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    CHECK(to_hex(sha256("")) == empty_hex);
    CHECK(to_hex(sha256(std::string_view{})) == empty_hex);
}

TEST_CASE("sha256 treats embedded NUL bytes as data", "[core][crypto]") {
    using namespace std::string_literals;
    CHECK(sha256("a\0b"s) != sha256("a"));
}

TEST_CASE("to_hex writes lower case, two characters a byte", "[core][crypto]") {
    const std::uint8_t raw[] = {0x00, 0x0f, 0xa0, 0xff};
    CHECK(to_hex(raw) == "000fa0ff");
    CHECK(to_hex(std::span<const std::uint8_t>{}).empty());
}

TEST_CASE("digest_from_hex reads 64 hex characters in either case", "[core][crypto]") {
    const auto d = sha256("abc");
    const std::string lower = to_hex(d);
    std::string upper = lower;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    REQUIRE(digest_from_hex(lower));
    CHECK(*digest_from_hex(lower) == d);
    REQUIRE(digest_from_hex(upper));
    CHECK(*digest_from_hex(upper) == d);
}

TEST_CASE("digest_from_hex refuses wrong lengths and non-hex characters", "[core][crypto]") {
    const std::string good = to_hex(sha256("abc"));
    CHECK_FALSE(digest_from_hex(""));
    CHECK_FALSE(digest_from_hex(good.substr(0, 63)));
    CHECK_FALSE(digest_from_hex(good + "0"));
    CHECK_FALSE(digest_from_hex("g" + good.substr(1)));
    CHECK_FALSE(digest_from_hex(" " + good.substr(1)));
}

TEST_CASE("constant_time_equal compares contents and lengths", "[core][crypto]") {
    CHECK(constant_time_equal(bytes("secret"), bytes("secret")));
    CHECK_FALSE(constant_time_equal(bytes("secret"), bytes("secreT")));
    CHECK_FALSE(constant_time_equal(bytes("secret"), bytes("secret2")));
    CHECK_FALSE(constant_time_equal(bytes(""), bytes("x")));
    CHECK(constant_time_equal(bytes(""), bytes("")));
    const auto a = sha256("abc");
    const auto b = sha256("abd");
    CHECK(constant_time_equal(a, a));
    CHECK_FALSE(constant_time_equal(a, b));
}

TEST_CASE("hmac_sha256_hex matches RFC 4231 test cases 1, 2 and 6", "[core][crypto]") {
    CHECK(hmac_sha256_hex(std::string(20, '\x0b'), "Hi There") ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hmac_sha256_hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First") ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST_CASE("hmac_sha256_hex accepts an empty key and an empty body", "[core][crypto]") {
    CHECK(hmac_sha256_hex("", "") ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    CHECK(hmac_sha256_hex(std::string_view{}, std::string_view{}) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
    CHECK(hmac_sha256_hex("k", "a") != hmac_sha256_hex("k", "b"));
}
