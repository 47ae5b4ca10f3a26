#pragma once
// Hashing, HMAC and digest comparison over OpenSSL libcrypto: token digests,
// webhook signatures and idempotency content hashes.

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace opel::core {

/// A SHA-256 digest.
using sha256_digest = std::array<std::uint8_t, 32>;

/// SHA-256 of `data`; throws std::runtime_error only if libcrypto fails.
sha256_digest sha256(std::string_view data);

/// `bytes` as lower-case hex, two characters per byte.
std::string to_hex(std::span<const std::uint8_t> bytes);

/// The digest spelled by exactly 64 hex characters (either case); nullopt otherwise.
std::optional<sha256_digest> digest_from_hex(std::string_view hex);

/// Whether `a` and `b` hold the same bytes, in time independent of where they
/// differ; false when the lengths differ.
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

/// Lower-case hex HMAC-SHA256 of `body` under `key` (the webhook signature);
/// throws std::runtime_error only if libcrypto fails.
std::string hmac_sha256_hex(std::string_view key, std::string_view body);

/// The HMAC-SHA256 of `body` under `key`, as bytes (a JWT's HS256).
sha256_digest hmac_sha256(std::string_view key, std::string_view body);

/// `data` in base64 with padding (RFC 4648 section 4): HTTP Basic credentials.
std::string base64(std::string_view data);

/// `data` in base64url without padding (RFC 4648 section 5): a JWT's parts.
std::string base64url(std::string_view data);

} // namespace opel::core
