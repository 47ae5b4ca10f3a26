#pragma once
// CURVE keys in the text form ZeroMQ uses (Z85, 40 characters for 32 bytes):
// checking them, reading the server's secret key file, deriving a public key
// and making new pairs. The accepted file formats are in docs/zmq.md.

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>

namespace opel::zmq {

/// True when `key` is 40 Z85 characters (one 32-byte CURVE key).
bool is_z85_key(std::string_view key);

/// The 32 bytes a Z85 key stands for; throws std::runtime_error if it is not one.
std::string decode_z85_key(std::string_view key);

/// The Z85 text of a 32-byte binary key.
std::string encode_z85_key(std::string_view binary);

/// The Z85 public key that belongs to a Z85 secret key; throws std::runtime_error
/// if `secret` is not a key or libzmq has no CURVE.
std::string curve_public_key(std::string_view secret);

/// The Z85 secret key in a key file's text; throws std::runtime_error saying
/// what is wrong (no key, two secrets, a public key that does not match).
std::string parse_secret_key(std::string_view text);

/// Reads and parses the server's secret key file; throws std::runtime_error
/// naming the file when it cannot be read or holds no valid key.
std::string read_secret_key_file(const std::filesystem::path& file);

/// True when this libzmq was built with CURVE.
bool curve_available();

/// A new CURVE key pair, Z85 (public, secret); throws std::runtime_error
/// without CURVE support.
std::pair<std::string, std::string> generate_curve_keypair();

} // namespace opel::zmq
