#pragma once
// The pure decisions of webhook delivery: which subscriber gets which event,
// how long to wait before the next attempt, and the signature header. No I/O.

#include "config/config.hpp"
#include "core/event.hpp"

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace opel::webhook {

/// The longest wait between two attempts.
inline constexpr std::chrono::milliseconds max_backoff{std::chrono::minutes(5)};
/// How long a delivery is retried before it is given up as failed.
inline constexpr std::chrono::hours give_up_after{24};
/// How long a failed delivery stays in the outbox (from its event) for
/// `GET /v1/subscribers` and inspection before it is pruned. A delivered one
/// is deleted when its delivery is recorded.
inline constexpr std::chrono::hours keep_failed_for{7 * 24};
/// How often failed deliveries past `keep_failed_for` are looked for.
inline constexpr std::chrono::minutes prune_every{10};

/// Whether `e` goes to `s`: every `summary.daily`; an `alert.` event when the
/// Alert's audiences meet the subscriber's, its level is at least `min_level`,
/// the topic starts with `topic_prefix` and, when the subscriber names
/// `places`, it is about one of them (a practice or PCN there, the place
/// itself) or about the system; every `escalation.system` to a subscriber
/// with the `control_room` audience (and a matching prefix); nothing else
/// (`status.` events are on the other channels only). `practices` places
/// each practice and PCN.
bool routes_to(const config::subscriber& s, const core::event& e,
               const std::vector<core::practice>& practices = {});

/// What routing reads of an `alert.` event's Alert: given by the writer,
/// which has the alert at hand, so that its JSON is not parsed again.
struct alert_facts {
    int level = 0;
    const std::vector<std::string>* audiences = nullptr;
    std::string_view scope;
    std::string_view subject;
};

/// As above, for an `alert.` event whose Alert says `facts`.
bool routes_to(const config::subscriber& s, const core::event& e, const alert_facts& facts,
               const std::vector<core::practice>& practices = {});

/// The wait after `attempt` failed attempts (1, 2, ...): 1 s doubling, capped
/// at 5 minutes, spread by +-20% with `jitter` in [0, 1] (0.5: none).
std::chrono::milliseconds backoff(int attempt, double jitter);

/// The `X-Opel-Signature` value for `body` under `secret`: `sha256=<hex>`.
std::string signature(std::string_view secret, std::string_view body);

} // namespace opel::webhook
