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

/// Whether an alert at `level` for `audiences` reaches a subscriber of
/// `wanted` from `min_level` up.
bool alert_matches(const alert_facts& f, const std::vector<std::string>& wanted, int min_level) {
    if (f.level < min_level || !f.audiences)
        return false;
    return std::any_of(f.audiences->begin(), f.audiences->end(), [&](const std::string& a) {
        return std::find(wanted.begin(), wanted.end(), a) != wanted.end();
    });
}

/// Whether the alert is about one of `places`: a practice or a PCN with a
/// practice there, the place itself, or anything system-wide.
bool in_places(const alert_facts& f, const std::vector<std::string>& places,
               const std::vector<core::practice>& practices) {
    const auto wanted = [&](std::string_view place) {
        return std::find(places.begin(), places.end(), place) != places.end();
    };
    if (f.scope == "place")
        return wanted(f.subject);
    if (f.scope == "practice" || f.scope == "pcn")
        return std::any_of(practices.begin(), practices.end(), [&](const core::practice& p) {
            return (f.scope == "practice" ? p.code == f.subject : p.pcn == f.subject) &&
                   wanted(p.place);
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
    // The Alert JSON read for what routing needs; anything unreadable goes
    // nowhere, so a malformed alert is never sent to the wrong people.
    boost::system::error_code ec;
    const auto v = boost::json::parse(e.data, ec);
    const auto* o = !ec ? v.if_object() : nullptr;
    if (!o)
        return false;
    const auto* level = o->if_contains("level");
    const auto* audiences = o->if_contains("audiences");
    const auto* scope = o->if_contains("scope");
    const auto* subject = o->if_contains("subject");
    if (!level || !level->is_int64() || !audiences || !audiences->is_array())
        return false;
    std::vector<std::string> names;
    for (const auto& a : audiences->get_array())
        if (a.is_string())
            names.emplace_back(a.get_string());
    alert_facts f{static_cast<int>(std::clamp<std::int64_t>(level->get_int64(), -1, 99)), &names,
                  {}, {}};
    if (scope && scope->is_string())
        f.scope = scope->get_string();
    if (subject && subject->is_string())
        f.subject = subject->get_string();
    if (!s.places.empty() && (f.scope.empty() || f.subject.empty()))
        return false;
    return routes_to(s, e, f, practices);
}

bool routes_to(const config::subscriber& s, const core::event& e, const alert_facts& facts,
               const std::vector<core::practice>& practices) {
    if (!core::topic_matches(e.topic, "alert.") || !core::topic_matches(e.topic, s.topic_prefix))
        return false;
    return alert_matches(facts, s.audiences, s.min_level) &&
           (s.places.empty() || in_places(facts, s.places, practices));
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
