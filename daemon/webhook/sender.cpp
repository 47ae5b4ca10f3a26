// The webhook sender. Each subscriber is a lane that is either idle or busy
// with exactly one POST: read its lowest pending row (with `batch`, its
// lowest pending rows, up to the batch's max), POST it, write the outcome,
// then look again. Keeping one POST per lane in flight gives seq order per
// subscriber; keeping lanes independent means a dead subscriber's 5-second
// connect deadline never delays a live one. Every time decision asks the
// injected clock, so tests move days on a manual clock.
#include "webhook/sender.hpp"

#include "core/event.hpp"
#include "core/time.hpp"
#include "log/log.hpp"
#include "store/outbox.hpp"
#include "webhook/lane.hpp"
#include "webhook/routing.hpp"

#include <boost/asio/post.hpp>
#include <spdlog/logger.h>

#include <set>
#include <utility>

namespace opel::webhook {

namespace {

/// Marks failed the pending rows of every subscriber not in `keep`, and logs
/// each subscriber whose rows were dropped.
void drop_removed(store::sqlite::db& db, const std::set<std::string>& keep,
                  core::time_point now) {
    for (const auto& name : store::drop_removed_subscribers(db, keep, now))
        log::of<"webhook">()->warn("subscriber '{}' is gone: its pending webhook deliveries are dropped",
                                   name);
}

} // namespace


/// A tick's barrier: `done` runs when the last hold on it is let go. Each
/// lane's list of waiting rounds holds it once per entry.
struct sender::round {
    int holds = 1; ///< the tick's own, let go once every lane has been asked
    std::function<void()> done;
};

void sender::join(std::vector<std::shared_ptr<round>>& list, const std::shared_ptr<round>& r) {
    ++r->holds;
    list.push_back(r);
}

void sender::let_go(const std::shared_ptr<round>& r) {
    if (--r->holds == 0 && r->done)
        std::exchange(r->done, nullptr)();
}

void sender::let_go(std::vector<std::shared_ptr<round>>& list) {
    for (const auto& r : std::exchange(list, {}))
        let_go(r);
}

/// A delivered mark in the writer's queue. Until the writer begins it, a
/// later 2xx of the same lane moves its upper end instead of queueing a mark
/// of its own: a lane ahead of the writer then costs one mark (three
/// statements and a job) for several POSTs. Its rows are contiguous: the
/// lane sends its pending rows in seq order, and any other write of the
/// lane (a failure, a give-up) closes the mark to extension first.
struct sender::queued_mark {
    std::mutex mu;
    std::int64_t from = 0;
    std::int64_t to = 0;
    int posts = 1;        ///< the lane's `delivered` steps it settles
    bool begun = false;   ///< the writer has read the range
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
    drop_removed(store_.startup_db(), keep, clock_.now());
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
        l.ahead.clear(); // its batch or kind may have changed: read afresh
        l.tls.reset();
        l.tls_error.clear();
        l.parsed.reset();
        const auto to = parse_endpoint(target_url(l.sub));
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
    for (auto& [name, l] : lanes_) {
        if (next.contains(name))
            continue;
        if (l.conn && !l.in_flight)
            l.conn->close();
        let_go(l.look_waiters);
        let_go(l.next_waiters);
        let_go(l.mark_waiters);
    }
    lanes_ = std::move(next);
}

void sender::derive_health(store::sqlite::db& db) {
    // A subscriber that was failing when the daemon stopped is still failing
    // from then: its first failure since the last 2xx is taken as the
    // creation of the oldest delivery that has failed since (each is tried
    // as soon as it is due, so within seconds of it).
    for (auto& [name, l] : lanes_)
        l.failing_since = store::failing_since(db, name);
}

void sender::set_subscribers(std::vector<config::subscriber> subscribers) {
    boost::asio::post(ex_, [this, subs = std::move(subscribers)]() mutable {
        apply_subscribers(std::move(subs));
        std::set<std::string> keep;
        for (const auto& [name, l] : lanes_)
            keep.insert(name);
        store_.write([keep](store::transaction& tx) { drop_removed(tx.db(), keep, tx.now()); },
                     {});
    });
}

void sender::tick(std::function<void()> done) {
    boost::asio::post(ex_, [this, done = std::move(done)]() mutable {
        auto r = std::make_shared<round>();
        r->done = std::move(done);
        if (!stopped_) {
            prune();
            for (auto& [name, l] : lanes_)
                check(name, r);
        }
        let_go(r);
    });
}

void sender::prune() {
    const auto now = clock_.now();
    if (now < next_prune_)
        return;
    next_prune_ = now + prune_every;
    store_.write([](store::transaction& tx) {
        const auto before = tx.now() - std::chrono::duration_cast<std::chrono::microseconds>(keep_failed_for);
        if (const auto n = store::prune_failed_deliveries(tx, before); n > 0)
            log::of<"webhook">()->info("pruned {} failed webhook deliveries older than {} days", n,
                                       keep_failed_for.count() / 24);
    }, {});
}

void sender::stop() {
    stopped_ = true;
    if (mailer_)
        mailer_->stop();
    // Closing the idle connections also stops their idle timers, which
    // would otherwise keep the io_context running.
    for (auto& [name, l] : lanes_) {
        if (l.in_flight)
            l.in_flight->cancel();
        if (l.conn)
            l.conn->close();
    }
}

void sender::check(const std::string& name, const std::shared_ptr<round>& r) {
    auto& l = lanes_.at(name);
    if (l.status.busy()) {
        // Held until the look after the step under way.
        join(l.next_waiters, r);
    } else {
        // A tick is also a barrier behind the delivered marks still being
        // written.
        if (l.status.marks > 0)
            join(l.mark_waiters, r);
        join(l.look_waiters, r);
    }
    if (transition(l.status, lane_event::tick) == lane_action::look)
        look(name);
}

void sender::look(const std::string& name) {
    if (lanes_.at(name).sub.kind != config::channel_kind::webhook)
        return look_digest(name);
    auto& l = lanes_.at(name);
    const std::size_t limit = l.sub.batch ? l.sub.batch->max : 1;
    if (l.ahead.size() >= limit) {
        // The next POST's rows were read with an earlier look. (A batch
        // with fewer than its max ahead reads the store: newer rows may
        // have come since.)
        const auto end = l.ahead.begin() + static_cast<std::ptrdiff_t>(limit);
        std::vector<store::outbox_row> rows(std::make_move_iterator(l.ahead.begin()),
                                            std::make_move_iterator(end));
        l.ahead.erase(l.ahead.begin(), end);
        boost::asio::post(ex_, [this, name, rows = std::move(rows)]() mutable {
            on_pending(name, std::move(rows));
        });
        return;
    }
    l.ahead.clear();
    store_.read([this, name, after = l.acked_seq,
                 n = std::max(limit, read_ahead)](store::sqlite::db& db) {
        auto rows = store::pending_rows(db, name, after, n);
        boost::asio::post(ex_, [this, name, rows = std::move(rows)]() mutable {
            on_pending(name, std::move(rows));
        });
    });
}

void sender::step(const std::string& name, lane_event e) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    auto& l = it->second;
    const auto action = transition(l.status, e);
    if (l.status.marks == 0)
        let_go(l.mark_waiters);
    if (e == lane_event::mark_written || e == lane_event::mark_lost) {
        if (action == lane_action::look && !stopped_)
            look(name); // a lost mark: read from the disk's state again
        return;
    }
    // A step ended: the rounds of the look that led to it are done; those
    // that came meanwhile wait for the next look, if one starts.
    auto finished = std::exchange(l.look_waiters, {});
    auto next = std::exchange(l.next_waiters, {});
    if (action == lane_action::look && !stopped_) {
        for (const auto& r : next)
            if (l.status.marks > 0)
                join(l.mark_waiters, r);
        l.look_waiters = std::move(next);
        look(name);
    } else {
        let_go(next);
    }
    let_go(finished);
}

void sender::on_pending(const std::string& name, std::vector<store::outbox_row> rows) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    const auto now = core::to_micros(clock_.now());
    // Kept only if this look sends: otherwise the next one reads the store.
    auto kept = std::exchange(it->second.ahead, {});
    if (stopped_ || rows.empty() || rows.front().next_at > now)
        return step(name, lane_event::nothing_due);
    const auto* found = &rows.front();
    if (found->body.empty()) {
        // Its event is not in the log: there is nothing to send, ever.
        log::of<"webhook">()->error("webhook to '{}': event {} is not in the event log; given up",
                                    name, found->seq);
        metrics_.count(name, result::failed);
        transition(it->second.status, lane_event::give_up);
        return record(name, [name, seq = found->seq](store::transaction& tx) {
            store::give_up_delivery(tx, name, seq, "the event is not in the event log", false);
        });
    }
    const auto expire_us = core::to_micros(std::chrono::milliseconds(give_up_after));
    if (now - found->created_at >= expire_us) {
        log::of<"webhook">()->warn("webhook to '{}': event {} not delivered within 24 hours; given up",
                                   name, found->seq);
        metrics_.count(name, result::failed);
        transition(it->second.status, lane_event::give_up);
        return record(name, [name, seq = found->seq](store::transaction& tx) {
            store::give_up_delivery(tx, name, seq, "not delivered within 24 hours", true);
        });
    }
    // A batch takes the rows after the first while they are as sendable:
    // due, with a body and not yet given up (the next look deals with one
    // that is not), up to its max; one event a POST otherwise.
    auto& l = it->second;
    const std::size_t limit = l.sub.batch ? l.sub.batch->max : 1;
    std::size_t n = 1;
    while (n < rows.size() && n < limit && !rows[n].body.empty() && rows[n].next_at <= now &&
           now - rows[n].created_at < expire_us)
        ++n;
    if (l.sub.batch && n < l.sub.batch->max &&
        now - rows.front().created_at < core::to_micros(l.sub.batch->wait))
        return step(name, lane_event::nothing_due); // a tick after the wait sends it
    // The rest wait in memory for the next looks, in seq order.
    l.ahead = std::move(kept);
    l.ahead.insert(l.ahead.begin(),
                   std::make_move_iterator(rows.begin() + static_cast<std::ptrdiff_t>(n)),
                   std::make_move_iterator(rows.end()));
    rows.resize(n);
    transition(l.status, lane_event::found);
    // The delivery starts now: a tick does not wait for its outcome.
    let_go(l.look_waiters);
    send(l, std::move(rows));
}

void sender::send(lane& l, std::vector<store::outbox_row> rows) {
    // One event: its Event JSON. A batch subscriber: {"events": [...]},
    // each event's JSON as it is, lowest seq first; the seq header is the
    // last (highest) one. The rows keep no body while the POST is in flight.
    std::string body;
    if (l.sub.batch) {
        std::size_t size = 16;
        for (const auto& r : rows)
            size += r.body.size() + 1;
        body.reserve(size);
        body += R"({"events":[)";
        for (std::size_t i = 0; i < rows.size(); ++i) {
            if (i > 0)
                body += ',';
            body += rows[i].body;
            std::string().swap(rows[i].body);
        }
        body += "]}";
    } else {
        body = std::move(rows.front().body);
    }
    std::map<std::string, std::string> headers{
        {"X-Opel-Event-Seq", std::to_string(rows.back().seq)}};
    if (l.sub.batch)
        headers["X-Opel-Event-Count"] = std::to_string(rows.size());
    if (!l.sub.secret.empty())
        headers["X-Opel-Signature"] = signature(l.sub.secret, body);
    post(l, target_url(l.sub), std::move(body), headers,
         [this, name = l.sub.name, rows = std::move(rows)](outcome o) {
             on_sent(name, rows, std::move(o));
         });
}

void sender::post(lane& l, const std::string& url, std::string body,
                  const std::map<std::string, std::string>& headers, exchange::report done) {
    if (!l.parsed || l.parsed_url != url) {
        l.parsed = parse_endpoint(url);
        l.parsed_url = url;
    }
    const auto& to = *l.parsed;
    if (const auto* why = std::get_if<std::string>(&to)) {
        log::of<"webhook">()->error("delivery to '{}': {}", l.sub.name, *why);
        return done(outcome{false, *why});
    }
    if (std::get<endpoint>(to).tls && !l.tls) {
        log::of<"webhook">()->error("delivery to '{}': {}", l.sub.name, l.tls_error);
        return done(outcome{false, l.tls_error});
    }
    if (!l.conn || l.conn->to() != std::get<endpoint>(to))
        l.conn = std::make_shared<connection>(ex_, std::get<endpoint>(to), l.tls);
    l.in_flight = std::make_shared<exchange>(l.conn, std::move(body), headers, std::move(done));
    l.in_flight->start();
}

void sender::on_sent(const std::string& name, const std::vector<store::outbox_row>& rows,
                     outcome o) {
    if (const auto it = lanes_.find(name); it != lanes_.end())
        it->second.in_flight.reset();
    if (stopped_)
        return; // the rows stay pending and go again after a restart
    if (o.ok)
        on_delivered(name, rows);
    else
        on_failed(name, rows, std::move(o.error), o.final);
}

void sender::on_delivered(const std::string& name, const std::vector<store::outbox_row>& rows) {
    const auto now = clock_.now();
    for (const auto& d : rows) {
        log::of<"webhook">()->debug("delivery to '{}': event {} delivered", name, d.seq);
        metrics_.delivered(name, std::chrono::microseconds(core::to_micros(now) - d.created_at));
    }
    const auto it = lanes_.find(name);
    // After failures (or the first time since start, when an alert may be
    // open from before) the hook hears of the recovery.
    std::function<void(store::transaction&)> recovered;
    if (it != lanes_.end() && (it->second.failing_since || it->second.unsure) && health_)
        recovered = [this, name](store::transaction& tx) {
            health_(tx, health{name, false, {}, {}, 0});
        };
    if (it == lanes_.end()) { // removed meanwhile: only the mark remains to write
        store_.write([seq = rows.back().seq, from = rows.front().seq,
                      name](store::transaction& tx) { store::mark_delivered(tx, name, from, seq); },
                     {});
        return;
    }
    auto& l = it->second;
    l.failing_since.reset();
    l.unsure = false;
    l.last_sent = core::to_micros(now);
    // The next delivery does not wait for this mark to be on disk: the lane
    // moves on at once, skipping the rows up to `seq` that are still being
    // marked. If the mark fails to commit, the lane reads from the disk's
    // state again, so those rows are sent again (at least once).
    l.acked_seq = rows.back().seq;
    step(name, lane_event::delivered);
    if (l.open_mark && !recovered) {
        std::lock_guard lock(l.open_mark->mu);
        if (!l.open_mark->begun) {
            l.open_mark->to = rows.back().seq;
            ++l.open_mark->posts;
            return;
        }
    }
    // One mark for the whole POST: the last row, which takes the rows
    // below it with it.
    auto mark = std::make_shared<queued_mark>();
    mark->from = rows.front().seq;
    mark->to = rows.back().seq;
    l.open_mark = mark;
    auto job = [mark, name, recovered](store::transaction& tx) {
        std::int64_t from = 0, to = 0;
        {
            std::lock_guard lock(mark->mu);
            mark->begun = true;
            from = mark->from;
            to = mark->to;
        }
        store::mark_delivered(tx, name, from, to);
        if (recovered)
            recovered(tx);
    };
    const bool queued = store_.write(std::move(job), [this, name, mark](bool ok) {
        boost::asio::post(ex_, [this, name, mark, ok] {
            int posts = 0;
            {
                std::lock_guard lock(mark->mu);
                mark->begun = true; // a refused write never began: close it too
                posts = mark->posts;
            }
            const auto it = lanes_.find(name);
            if (it != lanes_.end() && it->second.open_mark == mark)
                it->second.open_mark.reset();
            written(name, ok, posts);
        });
    });
    if (!queued) {
        l.open_mark.reset();
        written(name, false);
    }
}

void sender::on_failed(const std::string& name, const std::vector<store::outbox_row>& rows,
                       std::string error, bool final) {
    const auto now = clock_.now();
    const auto& d = rows.front();
    const int attempts = d.attempts + 1;
    const auto wait = backoff(attempts, std::uniform_real_distribution<double>(0, 1)(rng_));
    const bool last =
        final || core::to_micros(now) - d.created_at >=
                     core::to_micros(std::chrono::milliseconds(give_up_after));
    metrics_.count(name, last ? result::failed : result::retried);
    if (final)
        log::of<"webhook">()->warn("delivery to '{}': events {} to {} refused ({}); not retried",
                                   name, d.seq, rows.back().seq, error);
    else
        log::of<"webhook">()->debug("delivery to '{}': event {} attempt {} failed ({}); next in {} ms",
                                    name, d.seq, attempts, error, wait.count());
    std::function<void(store::transaction&, const std::string&)> failing;
    if (const auto it = lanes_.find(name); it != lanes_.end()) {
        auto& l = it->second;
        if (!l.failing_since)
            l.failing_since = now;
        l.ahead.clear(); // the failed rows lead again: the next look reads the store
        l.open_mark.reset(); // the failure's write comes after the marks queued
        if (now - *l.failing_since >= failing_alert_after && health_)
            failing = [this, name, since = *l.failing_since](store::transaction& tx,
                                                              const std::string& why) {
                health_(tx, health{name, true, since, why,
                                   store::pending_deliveries(tx.db(), name)});
            };
        transition(l.status, lane_event::failed);
    }
    std::vector<std::int64_t> seqs;
    for (const auto& r : rows)
        seqs.push_back(r.seq);
    record(name, [name, seqs, wait, final, error = std::move(error),
                  failing](store::transaction& tx) {
        for (const auto seq : seqs)
            if (final)
                store::give_up_delivery(tx, name, seq, error, false);
            else
                store::mark_attempt_failed(tx, name, seq, error, wait, give_up_after);
        if (failing)
            failing(tx, error);
    });
}

void sender::written(const std::string& name, bool ok, int posts) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    if (!ok) {
        it->second.acked_seq = 0;
        it->second.ahead.clear();
    }
    for (int i = 0; i < posts; ++i)
        step(name, ok ? lane_event::mark_written : lane_event::mark_lost);
}

void sender::record(const std::string& name, std::function<void(store::transaction&)> job) {
    // The lane stays busy until the outcome is on disk, so the next look
    // sees it and never sends the same row twice. A mark queued before it
    // takes no later row: the outcome's row would be inside its range.
    if (const auto it = lanes_.find(name); it != lanes_.end())
        it->second.open_mark.reset();
    const bool queued = store_.write(std::move(job), [this, name](bool) {
        boost::asio::post(ex_, [this, name] { step(name, lane_event::recorded); });
    });
    if (!queued)
        step(name, lane_event::recorded);
}

} // namespace opel::webhook
