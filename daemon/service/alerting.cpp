// Persistence of the engine's work. The engine is derived state: on start it
// is rebuilt from every stored submission, alert and silence, so timers such
// as unacknowledged-level-4 survive restarts; after a failed commit it is
// rebuilt the same way, so it never remembers what the disk does not.
#include "service/alerting.hpp"

#include "core/json_out.hpp"
#include "core/time.hpp"
#include "log/log.hpp"
#include "store/audit.hpp"
#include "store/queries.hpp"
#include "store/support.hpp"
#include "webhook/outbox.hpp"

#include <boost/json.hpp>
#include <spdlog/logger.h>

#include <algorithm>

namespace opel::service {

const date::time_zone* zone_of(const config::config& cfg) {
    try {
        return date::locate_zone(cfg.timezone);
    } catch (const std::exception&) {
        return nullptr; // the loader refused unknown zones; UTC as a last resort
    }
}

alerting::alerting(store::store& st, std::shared_ptr<const deployment> d,
                   const core::clock& clock)
    : store_(st), clock_(clock), deployment_(std::move(d)) {
    restore(store_.startup_db());
}

std::unique_ptr<rules::engine> alerting::make_engine(const deployment& d) const {
    return std::make_unique<rules::engine>(d.cfg->rules, d.practice_list(), d.cfg->calendar,
                                           zone_of(*d.cfg));
}

void alerting::restore(store::sqlite::db& db) {
    engine_ = make_engine(*deployment_);
    for (const auto& s : store::all_submissions(db))
        engine_->restore_submission(s);
    for (const auto& row : store::all_alert_rows(db))
        if (auto a = rules::alert_from_json(boost::json::parse(row)))
            engine_->restore_alert(*a);
    for (const auto& item : store::list_support(db, {}))
        engine_->restore_support(item.practice, true);
    // Armed here as well as in resume(): after a failed commit only this runs.
    engine_->arm_support_waits();
    for (const auto& row : store::silence_rows(db))
        if (auto s = rules::silence_from_json(boost::json::parse(row)))
            engine_->restore_silence(*s);
    note_deadline();
}

std::vector<std::int64_t> alerting::apply(store::transaction& tx,
                                          std::vector<rules::alert_change> changes) {
    std::vector<std::int64_t> ids;
    for (auto& c : changes) {
        const auto id = c.after.id;
        if (std::find(ids.begin(), ids.end(), id) == ids.end())
            ids.push_back(id);
        log::of<"rules">()->debug("alert {} {}: {}", id, rules::state_name(c.after.state),
                                  c.why);
        if (!c.published() || c.refresh) {
            // Nobody is notified of this change (evidence added, or a group's
            // count moved): only the group's last such change of the alert
            // matters, so it is rendered, written and (when any of them is
            // published) published once, at commit, after the status events
            // of the reports that moved it. In a storm the PCN, place and
            // system alerts move with nearly every report of a commit.
            tx.defer_alert(
                id,
                [a = std::move(c.after), created = c.created](store::transaction& t,
                                                              bool publish) {
                    auto data = rules::to_json_text(a);
                    const auto seq = publish ? t.append_event(rules::alert_topic(a), data).seq : 0;
                    t.put_alert(a.id, a.rule, a.scope, a.subject, rules::state_name(a.state),
                                data, seq, created);
                },
                c.published());
        } else {
            const auto& a = c.after;
            const auto data = rules::to_json_text(a);
            const auto& e = tx.append_event(rules::alert_topic(a), data);
            // Published on every feed; delivered to subscribers only when the
            // engine says they are told (not inhibited, not silenced).
            if (c.notify)
                webhook::record(tx, *deployment_->cfg, e,
                                webhook::alert_facts{a.level, &a.audiences, a.scope, a.subject});
            // Written now, so an earlier deferred state of it must not land after.
            tx.undefer_alert(a.id);
            tx.put_alert(a.id, a.rule, a.scope, a.subject, rules::state_name(a.state), data,
                         e.seq, c.created);
        }
    }
    note_deadline();
    return ids;
}

void alerting::webhook_health(store::transaction& tx, const webhook::health& h) {
    const std::string rule(rules::webhook_failing_rule);
    if (!h.failing) {
        apply(tx, engine_->resolve_own(rule, h.subscriber,
                                       "a delivery to '" + h.subscriber + "' succeeded",
                                       tx.now()));
        return;
    }
    rules::alert a;
    a.rule = rule;
    a.level = 3;
    a.scope = "system";
    a.subject = h.subscriber;
    a.audiences = {"admin"};
    a.title = "Webhook subscriber '" + h.subscriber + "' failing";
    a.message = "No delivery to '" + h.subscriber + "' has succeeded since " +
                core::format_time(h.since) + "; " + std::to_string(h.pending) +
                " pending; last error: " + h.last_error;
    auto changes = engine_->raise_own(std::move(a), tx.now());
    if (!changes.empty())
        log::of<"rules">()->warn("webhook subscriber '{}' failing since {}: admin alert raised",
                                 h.subscriber, core::format_time(h.since));
    apply(tx, std::move(changes));
}

void alerting::keep_webhook_alerts(std::vector<std::string> names) {
    queue(
        [this, names = std::move(names)](core::time_point now) {
            std::vector<rules::alert_change> out;
            const std::string rule(rules::webhook_failing_rule);
            for (const auto& subject : engine_->own_subjects(rule))
                if (std::find(names.begin(), names.end(), subject) == names.end())
                    for (auto& c : engine_->resolve_own(
                             rule, subject,
                             "subscriber '" + subject + "' is no longer configured", now))
                        out.push_back(std::move(c));
            return out;
        },
        {});
}

alert_evaluator alerting::evaluator() {
    return [this](store::transaction& tx, const core::submission& s) {
        return apply(tx, engine_->on_submission(s, tx.now()));
    };
}

void alerting::queue(std::function<std::vector<rules::alert_change>(core::time_point)> work,
                     std::function<void()> done) {
    const bool queued = store_.write(
        [this, work = std::move(work)](store::transaction& tx) {
            const auto before = engine_->silences();
            apply(tx, work(tx.now()));
            record_ended_silences(tx, before);
        },
        [done](bool) {
            if (done)
                done();
        });
    if (!queued && done)
        done();
}

void alerting::record_ended_silences(store::transaction& tx,
                                     const std::vector<rules::silence>& before) {
    // A silence that reached its end is marked expired and audited in the
    // transaction where the engine let it go.
    const auto after = engine_->silences();
    for (const auto& s : before) {
        if (std::any_of(after.begin(), after.end(),
                        [&s](const rules::silence& a) { return a.id == s.id; }))
            continue;
        const auto json = rules::to_json(s);
        tx.put_silence(s.id, boost::json::serialize(json), s.ends_at, true);
        store::record_audit(tx, {.actor = "opeld",
                                 .role = "system",
                                 .action = "silence.expire",
                                 .target = std::to_string(s.id),
                                 .status = 200,
                                 .detail = boost::json::serialize(json)});
    }
}

void alerting::resume() {
    queue([this](core::time_point now) { return engine_->resume(now); }, {});
}

void alerting::tick(std::function<void()> done) {
    // With a `done` to call (the test hook) the job always goes through the
    // writer, so it also waits for every write queued before it.
    const auto due = next_deadline();
    if (!done && (!due || *due > clock_.now()))
        return;
    queue([this](core::time_point now) { return engine_->on_time(now); }, std::move(done));
}

void alerting::reload(std::shared_ptr<const deployment> d) {
    queue(
        [this, d](core::time_point now) {
            deployment_ = d;
            return engine_->reload(d->cfg->rules, d->practice_list(), d->cfg->calendar, now);
        },
        {});
}

void alerting::rebuild() {
    log::of<"rules">()->warn("rebuilding the rules engine from the store after a failed commit");
    restore(store_.startup_db());
}

void alerting::note_deadline() {
    const auto d = engine_->next_deadline();
    next_deadline_us_.store(d ? core::to_micros(*d) : 0);
}

std::optional<core::time_point> alerting::next_deadline() const {
    const auto us = next_deadline_us_.load();
    if (us == 0)
        return std::nullopt;
    return core::from_micros(us);
}

} // namespace opel::service
