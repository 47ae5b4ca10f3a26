#pragma once
// The daemon's configuration as a plain typed struct, every default a member
// initialiser. config_loader.hpp fills it from YAML; nothing else parses YAML.

#include "core/calendar.hpp"
#include "core/types.hpp"
#include "rules/rule_set.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <date/date.h>

namespace opel::config {

/// host:port for a TCP listener; port 0 asks the kernel for one.
struct address {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
};

/// The `http:` section.
struct http_config {
    address listen;
    std::size_t max_connections = 1024;   ///< beyond it: 503 and close
    /// Of those, how many one client address may hold (exempt addresses:
    /// any); a quarter by default, so one address cannot take them all.
    std::size_t max_connections_per_address = 256;
    std::size_t header_limit = 8 * 1024;  ///< bytes
    std::size_t body_limit = 64 * 1024;   ///< bytes; over it: 413
    std::chrono::seconds read_timeout{10};  ///< a request must arrive within this
    std::chrono::seconds idle_timeout{60};  ///< a keep-alive connection idle this long is closed
    std::optional<std::filesystem::path> tls_cert; ///< both or neither
    std::optional<std::filesystem::path> tls_key;
};

/// `zmq.curve`: off unless a server secret key file is given. Each socket
/// has its own allow list, so a key that may submit need not read every
/// practice's notes on the PUB socket.
struct curve_config {
    std::filesystem::path secret_key_file;         ///< Z85 secret key
    std::vector<std::string> ingest_public_keys;   ///< Z85 keys of clients that may submit
    std::vector<std::string> publish_public_keys;  ///< Z85 keys of clients that may subscribe
};

/// The `zmq:` section; an empty endpoint turns that socket off.
struct zmq_config {
    std::string ingest = "tcp://127.0.0.1:5555";
    std::string publish = "tcp://127.0.0.1:5556";
    int high_water_mark = 10000;
    /// Connections open at once on each socket; more are refused at their
    /// handshake (a temporary refusal: the client retries).
    std::size_t max_connections = 1024;
    std::optional<curve_config> curve;
};

/// The `calendar:` section.
using calendar_config = core::calendar;

/// The `summary:` section.
struct summary_config {
    std::chrono::minutes at{9 * 60}; ///< local time of day
};

/// `limits.per_address`: a token bucket per client address for every HTTP
/// request, authenticated or not; rate 0 turns it off.
struct address_limits_config {
    double rate = 100;
    double burst = 1000;
    /// Addresses never limited (exact, as the socket reports them): by default
    /// loopback, where a local reverse proxy would put every client.
    std::vector<std::string> exempt{"127.0.0.1", "::1"};
};

/// The `limits:` section: a token bucket per token; rate 0 turns it off.
struct limits_config {
    double rate = 50;
    double burst = 200;
    address_limits_config per_address;
};

/// One entry of `tokens:`.
struct token {
    std::string name;
    std::array<std::uint8_t, 32> sha256{}; ///< digest of the bearer token
    core::role role = core::role::practice;
    std::string practice; ///< required for role practice
};

/// How a subscriber is told.
enum class channel_kind {
    webhook, ///< a POST of each Event JSON
    email,   ///< a digest mail over `smtp:`
    teams,   ///< a digest Adaptive Card to a Teams Workflows webhook
    slack,   ///< a digest of Slack blocks to an incoming webhook
    notify,  ///< a digest SMS through GOV.UK Notify
};

/// `group:` of a digest subscriber: the first message `wait` after the
/// first alert, then at most one per `interval` (a new level 4 never waits
/// longer than `wait`).
struct group_timing {
    std::chrono::seconds wait{30};
    std::chrono::seconds interval{300};
};

/// `quiet:` of a digest subscriber: alerts below `except_level` that come
/// between `from` and `to` (local times; `to` may be the next morning) are
/// held until `to`.
struct quiet_hours {
    std::chrono::minutes from{0};
    std::chrono::minutes to{0};
    int except_level = 4;
};

/// `batch:` of a webhook subscriber: its pending events posted together,
/// up to `max` a POST, as `{"events": [...]}`. With a `wait`, a POST of
/// fewer than `max` waits until its oldest event is that old; without one,
/// what is pending goes at once (one event when the subscriber keeps up).
struct batch_timing {
    std::size_t max = 64;
    std::chrono::seconds wait{0};
};

/// One entry of `subscribers:`.
struct subscriber {
    std::string name;
    channel_kind kind = channel_kind::webhook;
    std::string url;                             ///< webhook, teams, slack
    std::vector<std::string> audiences;
    std::string secret;                          ///< empty: unsigned
    std::optional<std::filesystem::path> secret_file;
    int min_level = 1;                           ///< alerts below are not sent
    std::string topic_prefix;                    ///< empty: every routed topic
    std::optional<std::filesystem::path> ca_file; ///< https: trust only these CAs (PEM)
    std::vector<std::string> places;             ///< empty: every place
    group_timing group;                          ///< digest kinds
    std::optional<quiet_hours> quiet;            ///< digest kinds
    std::optional<batch_timing> batch;           ///< webhook; absent: one event a POST
    std::vector<std::string> to;                 ///< email: the recipients
    std::string api_key;                         ///< notify: read from api_key_file
    std::optional<std::filesystem::path> api_key_file;
    std::string template_id;                     ///< notify
    std::vector<std::string> phone_numbers;      ///< notify
    std::string base_url = "https://api.notifications.service.gov.uk"; ///< notify
};

/// `smtp.starttls`.
enum class starttls_mode { required, optional, off };

/// The `smtp:` section, needed by subscribers of kind email.
struct smtp_config {
    std::string host;
    std::uint16_t port = 25;
    std::string from;
    starttls_mode starttls = starttls_mode::required;
    std::string username;                          ///< empty: no AUTH
    std::string password;                          ///< read from password_file
    std::optional<std::filesystem::path> password_file;
    std::optional<std::filesystem::path> ca_file;  ///< trust only these CAs (PEM)
};

/// The name of a kind as the config spells it.
const char* kind_name(channel_kind k);

/// Everything `opeld --config FILE` runs on, paths already resolved against
/// the file that named them.
struct config {
    std::filesystem::path file;               ///< the config file itself
    std::string timezone = "Europe/London";
    std::filesystem::path database;           ///< default: opeld.db beside the config
    std::filesystem::path practices_file;
    std::vector<core::practice> practices;    ///< in file order
    std::filesystem::path rules_file;
    std::shared_ptr<const rules::rule_set> rules;
    http_config http;
    zmq_config zmq;
    calendar_config calendar;
    summary_config summary;
    limits_config limits;
    std::vector<token> tokens;
    std::vector<subscriber> subscribers;
    std::optional<smtp_config> smtp;
    std::string public_url; ///< the dashboard's address, for links in messages; empty: none
};

} // namespace opel::config
