#pragma once
// The rules engine wired to the store: it lives on the writer thread, runs
// inside the transactions of the submissions and timers that drive it, and
// every alert change it returns is written (and, when it notifies, published)
// in that same transaction.

#include "core/clock.hpp"
#include "rules/engine.hpp"
#include "service/deployment.hpp"
#include "service/ingest.hpp"
#include "store/store.hpp"
#include "webhook/health.hpp"

#include <atomic>
#include <functional>
#include <memory>
#include <optional>

namespace opel::service {

/// The engine and its persistence.
class alerting {
public:
    /// An engine for `d`, restored from the store's database (before start).
    alerting(store::store& st, std::shared_ptr<const deployment> d, const core::clock& clock);

    /// Writer thread, inside a job: writes `changes` (publishing those that
    /// notify) and returns the ids of the alerts changed. Taken by value: a
    /// deferred write keeps its alert, moved rather than copied.
    std::vector<std::int64_t> apply(store::transaction& tx,
                                    std::vector<rules::alert_change> changes);
    /// Writer thread, inside the job that recorded a webhook outcome: raises
    /// the `webhook-failing` admin alert for a failing subscriber (once while
    /// open) or resolves it on recovery.
    void webhook_health(store::transaction& tx, const webhook::health& h);
    /// Queues the resolution of `webhook-failing` alerts of subscribers not in
    /// `names` (removed from the config).
    void keep_webhook_alerts(std::vector<std::string> names);
    /// Writer thread only.
    rules::engine& engine() { return *engine_; }
    /// The evaluator ingest runs in each submission's transaction.
    alert_evaluator evaluator();

    /// Queues the catch-up of timers missed while stopped (once, after start).
    void resume();
    /// Queues the time-driven work when it is due by the clock; with `done`,
    /// always queues (a barrier behind earlier writes) and calls it after the commit.
    void tick(std::function<void()> done = {});
    /// Queues a reload of the engine onto a new deployment.
    void reload(std::shared_ptr<const deployment> d);
    /// Writer thread, after a failed commit: rebuilds the engine from disk.
    void rebuild();
    /// The next time tick() has work, if any (any thread).
    std::optional<core::time_point> next_deadline() const;

private:
    std::unique_ptr<rules::engine> make_engine(const deployment& d) const;
    void restore(store::sqlite::db& db);
    void note_deadline();
    void record_ended_silences(store::transaction& tx, const std::vector<rules::silence>& before);
    void queue(std::function<std::vector<rules::alert_change>(core::time_point)> work,
               std::function<void()> done);

    store::store& store_;
    const core::clock& clock_;
    std::shared_ptr<const deployment> deployment_; ///< writer thread's copy
    std::unique_ptr<rules::engine> engine_;
    std::atomic<std::int64_t> next_deadline_us_{0}; ///< 0: none
};

/// The zone named in `cfg` (the loader has checked it exists).
const date::time_zone* zone_of(const config::config& cfg);

} // namespace opel::service
