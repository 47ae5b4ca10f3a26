// CURVE key handling for the bridge and for `opelctl keys`. Everything here is
// a thin, checked layer over libzmq's Z85 and Curve25519 helpers, so that a
// bad key in the config is refused at startup with a message that says which
// file and what is wrong, rather than failing a handshake later.
#include "zmq/curve.hpp"

#include "log/log.hpp"

#include <zmq.h>

#include <array>
#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace opel::zmq {

namespace {

constexpr std::size_t z85_key_chars = 40;
constexpr std::size_t key_bytes = 32;
constexpr std::uintmax_t max_key_file_bytes = 64 * 1024;
constexpr std::string_view space = " \t\r\n";

std::string_view trim(std::string_view s) {
    const auto b = s.find_first_not_of(space);
    if (b == std::string_view::npos) return {};
    return s.substr(b, s.find_last_not_of(space) - b + 1);
}

std::string_view unquote(std::string_view s) {
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return s.substr(1, s.size() - 2);
    return s;
}

bool is_one_of(std::string_view name, std::initializer_list<std::string_view> names) {
    for (auto n : names)
        if (name == n) return true;
    return false;
}

/// What the lines of a key file named: labelled keys and bare keys.
struct key_lines {
    std::optional<std::string> secret;
    std::optional<std::string> public_key;
    std::vector<std::string> bare;
};

void take_labelled(key_lines& k, std::string_view name, std::string_view value) {
    auto& slot = is_one_of(name, {"secret", "secret-key", "secret_key"}) ? k.secret : k.public_key;
    if (slot) throw std::runtime_error("the key '" + std::string(name) + "' is given twice");
    if (!is_z85_key(value))
        throw std::runtime_error("the value of '" + std::string(name) +
                                 "' is not a CURVE key (40 Z85 characters)");
    slot = std::string(value);
}

key_lines scan_lines(std::string_view text) {
    key_lines k;
    std::istringstream in{std::string(text)};
    for (std::string raw; std::getline(in, raw);) {
        const auto line = trim(raw);
        // A bare key may begin with '#', a Z85 character, so test it first.
        if (is_z85_key(line)) {
            k.bare.emplace_back(line);
            continue;
        }
        const auto sep = line.find_first_of("=:");
        if (line.empty() || line.front() == '#' || sep == std::string_view::npos)
            continue; // blank, comment, or a section name such as czmq's `curve`
        const auto name = trim(line.substr(0, sep));
        const auto value = unquote(trim(line.substr(sep + 1)));
        if (is_one_of(name,
                      {"secret", "secret-key", "secret_key", "public", "public-key", "public_key"}))
            take_labelled(k, name, value);
    }
    return k;
}

std::string pick_secret(const key_lines& k) {
    if (k.secret) {
        if (k.public_key && curve_public_key(*k.secret) != *k.public_key)
            throw std::runtime_error("the public key does not belong to the secret key");
        return *k.secret;
    }
    if (k.bare.size() == 2) {
        // Two bare keys: a public/secret pair in either order, told apart by
        // deriving each one's public key.
        if (curve_public_key(k.bare[1]) == k.bare[0]) return k.bare[1];
        if (curve_public_key(k.bare[0]) == k.bare[1]) return k.bare[0];
        throw std::runtime_error("the two keys are not a public/secret pair");
    }
    if (k.bare.size() == 1 && !k.public_key) return k.bare[0];
    throw std::runtime_error("no secret key found: expected the 40-character Z85 secret key "
                             "alone, or a line `secret-key = \"...\"`");
}

void warn_if_readable_by_others(const std::filesystem::path& file) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto perms = fs::status(file, ec).permissions();
    if (!ec && (perms & (fs::perms::group_read | fs::perms::others_read)) != fs::perms::none)
        log::get("zmq")->warn("the CURVE secret key file {} is readable by other users",
                              file.string());
}

} // namespace

bool is_z85_key(std::string_view key) {
    if (key.size() != z85_key_chars) return false;
    const std::string text(key); // zmq_z85_decode wants a terminated string
    std::array<std::uint8_t, key_bytes> out{};
    return zmq_z85_decode(out.data(), text.c_str()) != nullptr;
}

std::string decode_z85_key(std::string_view key) {
    const std::string text(key);
    std::array<std::uint8_t, key_bytes> out{};
    if (key.size() != z85_key_chars || zmq_z85_decode(out.data(), text.c_str()) == nullptr)
        throw std::runtime_error("'" + text + "' is not a CURVE key (40 Z85 characters)");
    return std::string(out.begin(), out.end());
}

std::string encode_z85_key(std::string_view binary) {
    if (binary.size() != key_bytes) throw std::runtime_error("a CURVE key has 32 bytes");
    std::array<char, z85_key_chars + 1> out{};
    zmq_z85_encode(out.data(), reinterpret_cast<const std::uint8_t*>(binary.data()), key_bytes);
    return std::string(out.data(), z85_key_chars);
}

std::string curve_public_key(std::string_view secret) {
    if (!is_z85_key(secret))
        throw std::runtime_error("the secret key is not a CURVE key (40 Z85 characters)");
    const std::string text(secret);
    std::array<char, z85_key_chars + 1> out{};
    if (zmq_curve_public(out.data(), text.c_str()) != 0)
        throw std::runtime_error("this libzmq has no CURVE support");
    return std::string(out.data(), z85_key_chars);
}

std::string parse_secret_key(std::string_view text) {
    const auto whole = trim(text);
    if (is_z85_key(whole)) return std::string(whole);
    return pick_secret(scan_lines(text));
}

std::string read_secret_key_file(const std::filesystem::path& file) {
    const auto where = "zmq.curve: the secret key file " + file.string();
    std::error_code ec;
    const auto size = std::filesystem::file_size(file, ec);
    if (ec) throw std::runtime_error(where + " cannot be read: " + ec.message());
    if (size > max_key_file_bytes)
        throw std::runtime_error(where + " is too large to be a key file");
    std::ifstream in(file, std::ios::binary);
    if (!in) throw std::runtime_error(where + " cannot be opened");
    std::ostringstream text;
    if (size > 0 && !(text << in.rdbuf())) throw std::runtime_error(where + " cannot be read");
    warn_if_readable_by_others(file);
    try {
        return parse_secret_key(text.str());
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(where + ": " + e.what());
    }
}

bool curve_available() {
    return zmq_has("curve") != 0;
}

std::pair<std::string, std::string> generate_curve_keypair() {
    std::array<char, z85_key_chars + 1> pub{};
    std::array<char, z85_key_chars + 1> sec{};
    if (zmq_curve_keypair(pub.data(), sec.data()) != 0)
        throw std::runtime_error("this libzmq has no CURVE support");
    return {std::string(pub.data(), z85_key_chars), std::string(sec.data(), z85_key_chars)};
}

} // namespace opel::zmq
