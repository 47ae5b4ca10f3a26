#pragma once
// The one strict parse-and-validate step that every ingest path (HTTP,
// ZeroMQ, import) runs on a submission, the reference checks that need the
// deployment's practices and themes, and the content hash behind idempotency.

#include "core/error.hpp"
#include "core/types.hpp"

#include <boost/json.hpp>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace opel::core {

/// Which ingest path is parsing: it decides which extra fields are allowed.
enum class ingest_kind { http, zmq, import };

/// What the parser returns on success.
struct parsed_submission {
    submission value;                 ///< id and received_at unset; reported_at set for import only
    std::optional<std::string> token; ///< the bearer token carried in the payload (zmq only)
};

/// The largest body (bytes) the parser reads; a larger one is refused with 413.
inline constexpr std::size_t max_body_bytes = 64 * 1024;
/// The most characters (code points) a note may hold.
inline constexpr std::size_t max_note_chars = 2000;
/// The most characters (code points) support_requested may hold.
inline constexpr std::size_t max_support_chars = 500;
/// The most characters (code points) an idempotency key may hold.
inline constexpr std::size_t max_idempotency_key_chars = 128;
/// The most themes one submission may name.
inline constexpr std::size_t max_themes = 10;

/// Bytes -> a submission or a typed error: 400 for malformed JSON, invalid
/// UTF-8, duplicate keys, a wrong type, an unknown or missing field; 413 past
/// max_body_bytes; 422 for well-formed values that are invalid without lookup.
std::variant<parsed_submission, error> parse_submission(std::string_view body, ingest_kind kind);

/// The checks that need the deployment's data: unknown practice (422, field
/// practice), unknown theme (422, field themes); nullopt when both pass.
std::optional<error> check_references(const submission& s,
                                      const std::function<bool(std::string_view)>& known_practice,
                                      const std::function<bool(std::string_view)>& known_theme);

/// Lower-case hex SHA-256 of practice, level, themes, note and support_requested
/// (not the key, the id or the times): equal exactly when that content is equal.
std::string content_hash(const submission& s);

/// The strict JSON layer under parse_submission, for other small bodies (an
/// alert acknowledgement): one object, valid UTF-8, unique keys at every depth,
/// depth at most 32, at most max_body_bytes; errors as parse_submission's.
std::variant<boost::json::object, error> parse_json_object(std::string_view body);

/// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or values
/// past U+10FFFF).
bool is_valid_utf8(std::string_view s);

/// The number of Unicode code points in `s`, which must be valid UTF-8.
std::size_t code_points(std::string_view s);

/// The byte offset of the first control character (U+0000 to U+001F) that
/// text a client sends may not hold: every one but tab, line feed, and a
/// carriage return directly before a line feed (a Windows line end);
/// nullopt when there is none.
std::optional<std::size_t> find_control_character(std::string_view s);

/// 422 `control_character` naming `field` when `text` holds a control
/// character find_control_character finds; nullopt when it holds none.
std::optional<error> check_control_characters(std::string_view text, std::string_view field);

/// The checks of an idempotency key, the same for the body's field and the
/// HTTP header (named `source` in the message): valid UTF-8 (else 400
/// invalid_utf8), 1 to 128 characters (else 422 too_short or too_long) and no
/// control character (else 422); every error names field `idempotency_key`.
std::optional<error> check_idempotency_key(std::string_view key, std::string_view source);

} // namespace opel::core
