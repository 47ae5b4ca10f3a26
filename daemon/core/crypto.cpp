// The project's only calls into OpenSSL libcrypto: SHA-256, HMAC-SHA256, hex in
// and out, and constant-time comparison. Kept here so the rest of core stays
// free of C APIs and so the choice of OpenSSL 3 interfaces (EVP, no deprecated
// calls) is made once.
#include "core/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <stdexcept>

namespace opel::core {

namespace {

// OpenSSL treats a null pointer as "no input" in places where an empty
// string_view may carry one; a real address for zero bytes is always safe.
const unsigned char* bytes_of(std::string_view s) {
    static const unsigned char empty = 0;
    return s.empty() ? &empty : reinterpret_cast<const unsigned char*>(s.data());
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

} // namespace

sha256_digest sha256(std::string_view data) {
    // EVP_sha256() makes OpenSSL 3 look the algorithm up again on every
    // call (a quarter of the hash's cost for a token); fetch it once. The
    // fetched EVP_MD is immutable and may be shared by threads.
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    sha256_digest out{};
    unsigned int size = 0;
    if (md == nullptr ||
        EVP_Digest(bytes_of(data), data.size(), out.data(), &size, md, nullptr) != 1 ||
        size != out.size())
        throw std::runtime_error("SHA-256 failed in libcrypto");
    return out;
}

std::string to_hex(std::span<const std::uint8_t> bytes) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (std::uint8_t b : bytes) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

std::optional<sha256_digest> digest_from_hex(std::string_view hex) {
    sha256_digest out{};
    if (hex.size() != out.size() * 2) return std::nullopt;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(hex[2 * i]);
        const int lo = hex_value(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
    // The length is not secret (digests are fixed-size); the contents are.
    if (a.size() != b.size()) return false;
    if (a.empty()) return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string hmac_sha256_hex(std::string_view key, std::string_view body) {
    return to_hex(hmac_sha256(key, body));
}

sha256_digest hmac_sha256(std::string_view key, std::string_view body) {
    sha256_digest out{};
    std::size_t size = 0;
    // EVP_Q_mac is OpenSSL 3's one-shot MAC; HMAC_CTX and friends are deprecated.
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, bytes_of(key), key.size(),
                  bytes_of(body), body.size(), out.data(), out.size(), &size) == nullptr ||
        size != out.size())
        throw std::runtime_error("HMAC-SHA256 failed in libcrypto");
    return out;
}

std::string base64(std::string_view data) {
    std::string out(4 * ((data.size() + 2) / 3), '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), bytes_of(data),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::string base64url(std::string_view data) {
    auto out = base64(data);
    for (auto& c : out)
        c = c == '+' ? '-' : c == '/' ? '_' : c;
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    return out;
}

} // namespace opel::core
