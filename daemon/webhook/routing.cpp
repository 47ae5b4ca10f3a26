// Routing, backoff and signing for webhooks, kept pure so each rule of the
// contract is tested without a socket: an alert reaches a subscriber by
// audience, level and topic prefix; a summary reaches everyone.
#include "webhook/routing.hpp"

#include "core/crypto.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <cmath>

namespace opel::webhook {

namespace {

/// Whether the Alert JSON `data` names one of `wanted` in its audiences and
/// stands at `min_level` or above; false for anything unreadable, so a
/// malformed alert is never sent to the wrong people.
bool alert_matches(const std::string& data, const std::vector<std::string>& wanted,
                   int min_level) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(data, ec);
    if (ec || !v.is_object())
        return false;
    const auto& o = v.as_object();
    const auto* level = o.if_contains("level");
    const auto* audiences = o.if_contains("audiences");
    if (!level || !level->is_int64() || level->as_int64() < min_level || !audiences ||
        !audiences->is_array())
        return false;
    return std::any_of(audiences->as_array().begin(), audiences->as_array().end(),
                       [&](const boost::json::value& a) {
                           return a.is_string() &&
                                  std::find(wanted.begin(), wanted.end(),
                                            std::string_view(a.as_string())) != wanted.end();
                       });
}

/// Whether the Alert JSON `data` is about one of `places`: a practice or a
/// PCN with a practice there, the place itself, or anything system-wide.
bool in_places(const std::string& data, const std::vector<std::string>& places,
               const std::vector<core::practice>& practices) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(data, ec);
    if (ec || !v.is_object())
        return false;
    const auto* scope = v.as_object().if_contains("scope");
    const auto* subject = v.as_object().if_contains("subject");
    if (!scope || !scope->is_string() || !subject || !subject->is_string())
        return false;
    const std::string_view sc = scope->as_string(), sub = subject->as_string();
    const auto wanted = [&](std::string_view place) {
        return std::find(places.begin(), places.end(), place) != places.end();
    };
    if (sc == "place")
        return wanted(sub);
    if (sc == "practice" || sc == "pcn")
        return std::any_of(practices.begin(), practices.end(), [&](const core::practice& p) {
            return (sc == "practice" ? p.code == sub : p.pcn == sub) && wanted(p.place);
        });
    return true; // the system, and a theme across it
}

} // namespace

bool routes_to(const config::subscriber& s, const core::event& e,
               const std::vector<core::practice>& practices) {
    if (e.topic == "summary.daily")
        return true;
    // A person's escalation to the system is for the control room, whatever
    // level or places it otherwise filters alerts by (docs/support.md).
    if (e.topic == "escalation.system")
        return core::topic_matches(e.topic, s.topic_prefix) &&
               std::find(s.audiences.begin(), s.audiences.end(), "control_room") !=
                   s.audiences.end();
    if (!core::topic_matches(e.topic, "alert.") || !core::topic_matches(e.topic, s.topic_prefix))
        return false;
    return alert_matches(e.data, s.audiences, s.min_level) &&
           (s.places.empty() || in_places(e.data, s.places, practices));
}

std::chrono::milliseconds backoff(int attempt, double jitter) {
    using std::chrono::milliseconds;
    // Past 2^9 s the cap has long been reached; clamping the exponent keeps
    // the shift defined for any attempt count.
    const int exponent = std::clamp(attempt - 1, 0, 16);
    const auto base = std::min<milliseconds>(milliseconds(1000LL << exponent), max_backoff);
    const double spread = 0.8 + 0.4 * std::clamp(jitter, 0.0, 1.0);
    const auto wait = milliseconds(std::llround(static_cast<double>(base.count()) * spread));
    return std::min(wait, max_backoff);
}

std::string signature(std::string_view secret, std::string_view body) {
    return "sha256=" + core::hmac_sha256_hex(secret, body);
}

} // namespace opel::webhook
