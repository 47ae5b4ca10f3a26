// The config's textual values, parsed strictly: a value is accepted only in
// the one spelling the example config documents, so a typo is an error at
// load time rather than a surprise at 09:00 or at bind time.
#include "config/value_parsers.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include <arpa/inet.h>
#include <boost/url/parse.hpp>

namespace opel::config {

namespace {

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

/// The value of a short run of digits (callers bound the length).
unsigned digits_value(std::string_view s) {
    unsigned v = 0;
    for (const char c : s)
        v = v * 10 + static_cast<unsigned>(c - '0');
    return v;
}

bool is_ip_literal(int family, const std::string& host) {
    std::array<unsigned char, 16> buf{};
    return inet_pton(family, host.c_str(), buf.data()) == 1;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (!all_digits(s) || s.size() > 5 || digits_value(s) > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(digits_value(s));
}

} // namespace

std::optional<address> parse_listen_address(std::string_view text, std::string& why) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        why = "expected host:port";
        return std::nullopt;
    }
    std::string host(text.substr(0, colon));
    const auto port = parse_port(text.substr(colon + 1));
    bool host_ok = false;
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
        host_ok = is_ip_literal(AF_INET6, host);
    } else {
        host_ok = is_ip_literal(AF_INET, host);
    }
    if (!host_ok) {
        why = "the host must be an IPv4 address or an IPv6 address in brackets ([::1]:8080)";
        return std::nullopt;
    }
    if (!port) {
        why = "the port must be a number from 0 to 65535";
        return std::nullopt;
    }
    return address{host, *port};
}

std::optional<std::chrono::minutes> parse_time_of_day(std::string_view text) {
    if (text.size() != 5 || text[2] != ':' || !all_digits(text.substr(0, 2)) ||
        !all_digits(text.substr(3)))
        return std::nullopt;
    const auto h = digits_value(text.substr(0, 2));
    const auto m = digits_value(text.substr(3));
    if (h > 23 || m > 59) return std::nullopt;
    return std::chrono::minutes(h * 60 + m);
}

std::optional<date::year_month_day> parse_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !all_digits(text.substr(0, 4)) ||
        !all_digits(text.substr(5, 2)) || !all_digits(text.substr(8)))
        return std::nullopt;
    const date::year_month_day d{date::year(static_cast<int>(digits_value(text.substr(0, 4)))),
                                 date::month(digits_value(text.substr(5, 2))),
                                 date::day(digits_value(text.substr(8)))};
    if (!d.ok()) return std::nullopt;
    return d;
}

std::optional<unsigned> parse_weekday(std::string_view text) {
    static constexpr std::array<std::string_view, 7> names{"sun", "mon", "tue", "wed",
                                                           "thu", "fri", "sat"};
    const auto it = std::find(names.begin(), names.end(), text);
    if (it == names.end()) return std::nullopt;
    return static_cast<unsigned>(it - names.begin());
}

std::optional<core::role> parse_role(std::string_view text) {
    if (text == "practice") return core::role::practice;
    if (text == "team") return core::role::team;
    if (text == "control_room") return core::role::control_room;
    if (text == "admin") return core::role::admin;
    return std::nullopt;
}

bool is_practice_code(std::string_view text) {
    return text.size() == 6 && text[0] >= 'A' && text[0] <= 'Z' && all_digits(text.substr(1));
}

bool is_zmq_endpoint(std::string_view text) {
    for (const std::string_view scheme : {"tcp://", "ipc://", "inproc://"}) {
        if (text.size() > scheme.size() && text.substr(0, scheme.size()) == scheme) return true;
    }
    return false;
}

bool is_webhook_url(std::string_view text) {
    const auto url = boost::urls::parse_uri(text);
    if (!url) return false;
    const auto scheme = url->scheme_id();
    return (scheme == boost::urls::scheme::http || scheme == boost::urls::scheme::https) &&
           url->has_authority() && !url->encoded_host().empty();
}

std::optional<std::chrono::seconds> parse_duration(std::string_view text) {
    if (text.size() < 2 || text.size() > 6) return std::nullopt;
    const auto number = text.substr(0, text.size() - 1);
    if (!all_digits(number)) return std::nullopt;
    const auto n = static_cast<std::int64_t>(digits_value(number));
    std::chrono::seconds d{};
    switch (text.back()) {
    case 's': d = std::chrono::seconds(n); break;
    case 'm': d = std::chrono::minutes(n); break;
    case 'h': d = std::chrono::hours(n); break;
    default: return std::nullopt;
    }
    if (d > std::chrono::hours(24)) return std::nullopt;
    return d;
}

namespace {

bool is_uuid(std::string_view s) {
    if (s.size() != 36) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !std::isxdigit(static_cast<unsigned char>(s[i]))) return false;
    }
    return true;
}

} // namespace

std::optional<std::pair<std::string, std::string>> parse_notify_key(std::string_view text) {
    // The key name may hold dashes itself; the two UUIDs are the last 73
    // characters, after a dash.
    if (text.size() < 75 || text[text.size() - 74] != '-') return std::nullopt;
    const auto service = text.substr(text.size() - 73, 36);
    const auto secret = text.substr(text.size() - 36);
    if (text[text.size() - 37] != '-' || !is_uuid(service) || !is_uuid(secret))
        return std::nullopt;
    return std::pair{std::string(service), std::string(secret)};
}

std::string url_origin(std::string_view text) {
    // Found by hand, not by a URL parser, so that text which is not a valid
    // URL (the case an error message is about) is cut down too.
    const auto scheme_end = text.find("://");
    if (scheme_end == std::string_view::npos) return std::string(text);
    const auto scheme = text.substr(0, scheme_end);
    const auto start = scheme_end + 3;
    const auto end = std::min(text.find_first_of("/?#", start), text.size());
    auto host = text.substr(start, end - start);
    if (const auto at = host.rfind('@'); at != std::string_view::npos)
        host = host.substr(at + 1);
    // A port is there when a colon follows the host (past an IPv6 literal's ']').
    const auto bracket = host.rfind(']');
    const bool has_port =
        host.find(':', bracket == std::string_view::npos ? 0 : bracket) != std::string_view::npos;
    std::string out = std::string(scheme) + "://" + std::string(host);
    if (!has_port && scheme == "http") out += ":80";
    if (!has_port && scheme == "https") out += ":443";
    return out;
}

bool is_z85_key(std::string_view text) {
    static constexpr std::string_view alphabet =
        "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";
    return text.size() == 40 && text.find_first_not_of(alphabet) == std::string_view::npos;
}

} // namespace opel::config
