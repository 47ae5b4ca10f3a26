#pragma once
// Pure parsers for the config's textual values (addresses, times, dates, day
// names, endpoints, URLs): no YAML, no files, each testable alone. Digests in
// hex are core/crypto.hpp's.

#include "config/config.hpp"
#include "core/types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <date/date.h>

namespace opel::config {

/// `host:port` with an IPv4 host, or `[v6]:port`; port 0..65535. On failure
/// `why` says what is wrong.
std::optional<address> parse_listen_address(std::string_view text, std::string& why);
/// `HH:MM`, 00:00..23:59, as minutes after midnight.
std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text);
/// A duration as a number and a unit: `30s`, `5m`, `1h` (at most a day).
std::optional<std::chrono::seconds> parse_duration(std::string_view text);
/// A GOV.UK Notify API key, `{key name}-{service id}-{secret key}` with both
/// ids UUIDs: the service id and the secret, or nullopt when it is not one.
std::optional<std::pair<std::string, std::string>> parse_notify_key(std::string_view text);
/// `YYYY-MM-DD`, a date that exists.
std::optional<date::year_month_day> parse_date(std::string_view text);
/// `mon`..`sun` as date::weekday::c_encoding() (Sunday = 0).
std::optional<unsigned> parse_weekday(std::string_view text);
/// `practice`, `team`, `control_room` or `admin`.
std::optional<core::role> parse_role(std::string_view text);
/// An ODS practice code: an upper-case letter and five digits.
bool is_practice_code(std::string_view text);
/// A ZeroMQ endpoint we can bind: tcp://, ipc:// or inproc:// and an address.
bool is_zmq_endpoint(std::string_view text);
/// An absolute http:// or https:// URL with a host, as a webhook needs.
bool is_webhook_url(std::string_view text);
/// A URL as shown in answers, messages and logs: scheme, host and port only
/// (`https://hooks.example.org:443`), since its user information, path and
/// query are often its secret; text without `://` as it was.
std::string url_origin(std::string_view text);
/// A CURVE key in Z85 text: 40 characters of the Z85 alphabet.
bool is_z85_key(std::string_view text);

} // namespace opel::config
