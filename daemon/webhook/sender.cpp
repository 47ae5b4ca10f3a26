// The webhook sender. Each subscriber is a lane that is either idle or busy
// with exactly one delivery: read its lowest pending row, POST it, write the
// outcome, then look again. Keeping one row per lane in flight gives seq
// order per subscriber; keeping lanes independent means a dead subscriber's
// 5-second connect deadline never delays a live one. Every time decision asks
// the injected clock, so tests move days on a manual clock.
#include "webhook/sender.hpp"

#include "core/event.hpp"
#include "log/log.hpp"
#include "webhook/routing.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include <set>
#include <utility>

namespace opel::webhook {

namespace {

std::shared_ptr<spdlog::logger> log() {
    static const auto logger = opel::log::get("webhook");
    return logger;
}

std::int64_t micros(core::time_point t) { return t.time_since_epoch().count(); }

std::int64_t micros(std::chrono::milliseconds d) {
    return std::chrono::duration_cast<std::chrono::microseconds>(d).count();
}

/// Marks failed the pending rows of every subscriber not in `keep`; returns
/// how many, so the drop is logged.
int drop_removed(store::sqlite::db& db, const std::set<std::string>& keep) {
    std::vector<std::string> gone;
    auto names = db.prepare("SELECT DISTINCT subscriber FROM deliveries WHERE state = 'pending'");
    while (names.step())
        if (!keep.contains(names.text(0)))
            gone.push_back(names.text(0));
    int dropped = 0;
    for (const auto& name : gone) {
        auto st = db.prepare("UPDATE deliveries SET state = 'failed', last_error = "
                             "'subscriber removed' WHERE state = 'pending' AND subscriber = ?1");
        st.bind(1, name).run();
        dropped += db.changes();
        log()->warn("subscriber '{}' is gone: its pending webhook deliveries are dropped", name);
    }
    return dropped;
}

} // namespace

/// One pending delivery as read from the outbox.
struct sender::row {
    std::int64_t id = 0;
    std::int64_t seq = 0;
    std::string body;
    std::int64_t created_at = 0;
    std::int64_t next_at = 0;
    int attempts = 0;
};

/// A tick's barrier: `done` runs when the last lane of the round lets go.
struct sender::round {
    std::function<void()> done;
    ~round() {
        if (done)
            done();
    }
};

sender::sender(boost::asio::any_io_executor ex, store::store& st, const core::clock& clock,
               std::vector<config::subscriber> subscribers, delivery_metrics& metrics)
    : ex_(std::move(ex)), store_(st), clock_(clock), metrics_(metrics) {
    apply_subscribers(std::move(subscribers));
    derive_health(store_.startup_db());
    std::set<std::string> keep;
    for (const auto& [name, l] : lanes_)
        keep.insert(name);
    // Subscribers removed from the config while the daemon was down.
    drop_removed(store_.startup_db(), keep);
}

void sender::apply_subscribers(std::vector<config::subscriber> subscribers) {
    std::map<std::string, lane> next;
    for (auto& s : subscribers) {
        auto name = s.name;
        auto& l = next[name];
        if (auto old = lanes_.find(name); old != lanes_.end())
            l = std::move(old->second); // keeps what is in flight
        // The URL, its TLS context or its CAs may have changed: the next POST
        // opens a new connection (one in flight is closed once it ends).
        if (l.conn && !l.in_flight)
            l.conn->close();
        l.conn.reset();
        l.sub = std::move(s);
        l.tls.reset();
        l.tls_error.clear();
        const auto to = parse_endpoint(l.sub.url);
        if (const auto* e = std::get_if<endpoint>(&to); e && e->tls) {
            auto ctx = tls_context(l.sub.ca_file);
            if (auto* c = std::get_if<std::shared_ptr<boost::asio::ssl::context>>(&ctx))
                l.tls = std::move(*c);
            else
                l.tls_error = std::get<std::string>(ctx);
        }
    }
    // A removed subscriber's POST in flight finishes on its own; its outcome
    // is still written, since the row may have been delivered. Its idle
    // connection is closed.
    for (auto& [name, l] : lanes_)
        if (!next.contains(name) && l.conn && !l.in_flight)
            l.conn->close();
    lanes_ = std::move(next);
}

void sender::derive_health(store::sqlite::db& db) {
    // A subscriber that was failing when the daemon stopped is still failing
    // from then: its first failure since the last 2xx is taken as the
    // creation of the oldest delivery that has failed since (each is tried
    // as soon as it is due, so within seconds of it).
    for (auto& [name, l] : lanes_) {
        auto st = db.prepare(
            "SELECT min(created_at) FROM deliveries WHERE subscriber = ?1 AND attempts > 0 AND "
            "state != 'delivered' AND created_at >= coalesce((SELECT max(delivered_at) FROM "
            "deliveries WHERE subscriber = ?1 AND state = 'delivered'), 0)");
        st.bind(1, name);
        if (st.step() && !st.is_null(0))
            l.failing_since = core::time_point{std::chrono::microseconds{st.int64(0)}};
    }
}

void sender::set_subscribers(std::vector<config::subscriber> subscribers) {
    boost::asio::post(ex_, [this, subs = std::move(subscribers)]() mutable {
        apply_subscribers(std::move(subs));
        std::set<std::string> keep;
        for (const auto& [name, l] : lanes_)
            keep.insert(name);
        store_.write([keep](store::transaction& tx) { drop_removed(tx.db(), keep); }, {});
    });
}

void sender::tick(std::function<void()> done) {
    boost::asio::post(ex_, [this, done = std::move(done)]() mutable {
        auto r = std::make_shared<round>();
        r->done = std::move(done);
        if (stopped_)
            return;
        prune();
        for (auto& [name, l] : lanes_)
            check(name, r);
    });
}

void sender::prune() {
    const auto now = clock_.now();
    if (now < next_prune_)
        return;
    next_prune_ = now + prune_every;
    store_.write([](store::transaction& tx) {
        // Few rows are failed, and the state index finds them.
        auto st = tx.db().prepare("DELETE FROM deliveries WHERE state = 'failed' AND "
                                  "created_at < ?1");
        st.bind(1, micros(tx.now()) - micros(std::chrono::milliseconds(keep_failed_for))).run();
        if (const auto n = tx.db().changes(); n > 0)
            log()->info("pruned {} failed webhook deliveries older than {} days", n,
                        keep_failed_for.count() / 24);
    }, {});
}

void sender::stop() {
    stopped_ = true;
    // Closing the idle connections also stops their idle timers, which
    // would otherwise keep the io_context running.
    for (auto& [name, l] : lanes_) {
        if (l.in_flight)
            l.in_flight->cancel();
        if (l.conn)
            l.conn->close();
    }
}

void sender::check(const std::string& name, std::shared_ptr<round> r) {
    auto& l = lanes_.at(name);
    if (l.busy) {
        l.again = true;
        if (r)
            l.waiting.push_back(std::move(r));
        return;
    }
    // A tick is also a barrier behind the delivered outcomes still being
    // written.
    if (r && l.writes > 0)
        l.after_writes.push_back(r);
    l.busy = true;
    l.again = false;
    store_.read([this, name, r, after = l.acked_seq](store::sqlite::db& db) mutable {
        std::optional<row> found;
        {
            // The body is the event's JSON, rebuilt from its row (see outbox.cpp).
            auto st = db.cached(
                "SELECT d.id, d.seq, d.body, d.created_at, d.next_at, d.attempts, e.topic, "
                "e.time, e.data FROM deliveries d LEFT JOIN events e ON e.seq = d.seq AND "
                "d.body = '' WHERE d.state = 'pending' AND d.subscriber = ?1 AND d.seq > ?2 "
                "ORDER BY d.seq LIMIT 1");
            st->bind(1, name).bind(2, after);
            if (st->step()) {
                found = row{st->int64(0), st->int64(1), st->text(2), st->int64(3), st->int64(4),
                            static_cast<int>(st->int64(5))};
                if (found->body.empty() && !st->is_null(6))
                    found->body = core::event_json(core::event{
                        found->seq, st->text(6),
                        core::time_point{std::chrono::microseconds{st->int64(7)}},
                        st->text(8)});
            }
        }
        boost::asio::post(ex_, [this, name, found = std::move(found), r]() mutable {
            on_oldest(name, std::move(found), std::move(r));
        });
    });
}

void sender::on_oldest(const std::string& name, std::optional<row> found,
                       std::shared_ptr<round> r) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    const auto now = micros(clock_.now());
    if (stopped_ || !found || found->next_at > now)
        return release(name);
    if (found->body.empty()) {
        // Its event is not in the log: there is nothing to send, ever.
        log()->error("webhook to '{}': event {} is not in the event log; given up", name,
                     found->seq);
        metrics_.count(name, result::failed);
        return write(name, [id = found->id](store::transaction& tx) {
            tx.db().cached("UPDATE deliveries SET state = 'failed', last_error = 'the event is "
                           "not in the event log' WHERE id = ?1 AND state = 'pending'")
                ->bind(1, id).run();
        }, std::move(r));
    }
    if (now - found->created_at >= micros(std::chrono::milliseconds(give_up_after))) {
        log()->warn("webhook to '{}': event {} not delivered within 24 hours; given up", name,
                    found->seq);
        metrics_.count(name, result::failed);
        return write(name, [id = found->id](store::transaction& tx) {
            auto st = tx.db().prepare(
                "UPDATE deliveries SET state = 'failed', last_error = coalesce(last_error, "
                "'not delivered within 24 hours') WHERE id = ?1 AND state = 'pending'");
            st.bind(1, id).run();
        }, std::move(r));
    }
    send(it->second, std::move(*found));
}

void sender::send(lane& l, row d) {
    const auto to = parse_endpoint(l.sub.url);
    if (const auto* why = std::get_if<std::string>(&to)) {
        log()->error("webhook to '{}': {}", l.sub.name, *why);
        return on_sent(l.sub.name, d, outcome{false, *why});
    }
    if (std::get<endpoint>(to).tls && !l.tls) {
        log()->error("webhook to '{}': {}", l.sub.name, l.tls_error);
        return on_sent(l.sub.name, d, outcome{false, l.tls_error});
    }
    std::map<std::string, std::string> headers{{"X-Opel-Event-Seq", std::to_string(d.seq)}};
    if (!l.sub.secret.empty())
        headers["X-Opel-Signature"] = signature(l.sub.secret, d.body);
    const auto name = l.sub.name;
    auto body = d.body;
    if (!l.conn || l.conn->to() != std::get<endpoint>(to))
        l.conn = std::make_shared<connection>(ex_, std::get<endpoint>(to), l.tls);
    l.in_flight = std::make_shared<exchange>(
        l.conn, std::move(body), headers,
        [this, name, d = std::move(d)](outcome o) { on_sent(name, d, std::move(o)); });
    l.in_flight->start();
}

void sender::on_sent(const std::string& name, const row& d, outcome o) {
    const auto it = lanes_.find(name);
    if (it != lanes_.end())
        it->second.in_flight.reset();
    if (stopped_)
        return; // the row stays pending and goes again after a restart
    const auto now = clock_.now();
    if (o.ok) {
        log()->debug("webhook to '{}': event {} delivered", name, d.seq);
        metrics_.delivered(name, std::chrono::microseconds(micros(now) - d.created_at));
        // After failures (or the first time since start, when an alert may be
        // open from before) the hook hears of the recovery.
        std::function<void(store::transaction&)> recovered;
        if (it != lanes_.end() && (it->second.failing_since || it->second.unsure) && health_)
            recovered = [this, name](store::transaction& tx) {
                health_(tx, health{name, false, {}, {}, 0});
            };
        if (it != lanes_.end()) {
            it->second.failing_since.reset();
            it->second.unsure = false;
        }
        return delivered(name, d.seq, [id = d.id, seq = d.seq, name, recovered](store::transaction& tx) {
            tx.db().cached("UPDATE deliveries SET state = 'delivered', attempts = "
                           "attempts + 1, delivered_at = ?2 WHERE id = ?1")
                ->bind(1, id).bind(2, micros(tx.now())).run();
            // The outbox keeps only the latest delivered row of a subscriber
            // (its last success); the event log has every body.
            tx.db().cached("DELETE FROM deliveries WHERE state = 'delivered' AND "
                           "subscriber = ?1 AND seq < ?2")
                ->bind(1, name).bind(2, seq).run();
            if (recovered)
                recovered(tx);
        });
    }
    const int attempts = d.attempts + 1;
    const auto wait = backoff(attempts, std::uniform_real_distribution<double>(0, 1)(rng_));
    const bool last =
        micros(now) - d.created_at >= micros(std::chrono::milliseconds(give_up_after));
    metrics_.count(name, last ? result::failed : result::retried);
    log()->debug("webhook to '{}': event {} attempt {} failed ({}); next in {} ms", name, d.seq,
                 attempts, o.error, wait.count());
    std::function<void(store::transaction&, const std::string&)> failing;
    if (it != lanes_.end()) {
        auto& l = it->second;
        if (!l.failing_since)
            l.failing_since = now;
        if (now - *l.failing_since >= failing_alert_after && health_)
            failing = [this, name, since = *l.failing_since](store::transaction& tx,
                                                              const std::string& error) {
                auto st = tx.db().prepare("SELECT count(*) FROM deliveries WHERE subscriber = ?1 "
                                          "AND state = 'pending'");
                st.bind(1, name);
                const auto pending = st.step() ? st.int64(0) : 0;
                health_(tx, health{name, true, since, error, pending});
            };
    }
    write(name, [id = d.id, wait, error = std::move(o.error), failing](store::transaction& tx) {
        // A failure a day after the event is the last one: no retry is due.
        const auto now = micros(tx.now());
        auto st = tx.db().cached(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = ?2, error_at = ?3, "
            "next_at = ?4, state = CASE WHEN ?3 - created_at >= ?5 THEN 'failed' ELSE state END "
            "WHERE id = ?1 AND state = 'pending'");
        st->bind(1, id).bind(2, error).bind(3, now).bind(4, now + micros(wait));
        st->bind(5, micros(std::chrono::milliseconds(give_up_after))).run();
        if (failing)
            failing(tx, error);
    }, {});
}

void sender::delivered(const std::string& name, std::int64_t seq,
                       std::function<void(store::transaction&)> job) {
    // The next delivery does not wait for this outcome to be on disk: the
    // lane moves on at once, skipping the rows up to `seq` that are still
    // being marked. If the mark fails to commit, the lane reads from the
    // disk's state again, so those rows are sent again (at least once).
    const auto it = lanes_.find(name);
    if (it == lanes_.end()) { // removed meanwhile: only the mark remains to write
        store_.write(std::move(job), {});
        return;
    }
    auto& l = it->second;
    l.acked_seq = seq;
    ++l.writes;
    auto waiting = l.waiting; // ticks that came meanwhile wait for the mark too
    const bool queued = store_.write(std::move(job), [this, name, waiting](bool ok) {
        // The held ticks are let go on the io thread, after the lane's count.
        boost::asio::post(ex_, [this, name, ok, waiting] { written(name, ok); });
    });
    if (!queued)
        written(name, false);
    l.again = true;
    release(name);
}

void sender::written(const std::string& name, bool ok) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    auto& l = it->second;
    if (--l.writes == 0)
        l.after_writes.clear();
    if (!ok) {
        l.acked_seq = 0;
        if (!l.busy && !stopped_)
            check(name, {});
        else
            l.again = true;
    }
}

void sender::write(const std::string& name, std::function<void(store::transaction&)> job,
                   std::shared_ptr<round> r) {
    // The lane stays busy until the outcome is on disk, so the next read
    // sees it and never sends the same row twice.
    const bool queued = store_.write(std::move(job), [this, name, r](bool) {
        boost::asio::post(ex_, [this, name] {
            if (lanes_.contains(name))
                lanes_.at(name).again = true;
            release(name);
        });
    });
    if (!queued)
        release(name);
}

void sender::release(const std::string& name) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    auto& l = it->second;
    l.busy = false;
    // The ticks that came while busy wait for this look too, so a tick is a
    // barrier behind the outcome being written.
    auto held = std::make_shared<round>();
    held->done = [waiting = std::exchange(l.waiting, {})] {};
    if (l.again && !stopped_)
        check(name, std::move(held));
}

} // namespace opel::webhook
