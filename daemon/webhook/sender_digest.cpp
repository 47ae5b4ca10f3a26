// The sender's people-facing kinds. A digest is built from the subscriber's
// pending outbox rows when it is sent: the rows are marked delivered in one
// transaction once the mail, card or texts went, so a restart before that
// sends the same rows again as one digest, and after it sends none of them.
// When a digest is due is channel::plan_next's decision, from the rows and
// the last delivery, both on disk.
#include "webhook/sender.hpp"

#include "channel/digest.hpp"
#include "channel/notify.hpp"
#include "config/value_parsers.hpp"
#include "core/event.hpp"
#include "core/time.hpp"
#include "log/log.hpp"
#include "store/queries.hpp"
#include "webhook/routing.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <spdlog/logger.h>

namespace opel::webhook {

namespace {

constexpr std::int64_t give_up_us =
    std::chrono::duration_cast<std::chrono::microseconds>(give_up_after).count();

} // namespace

std::string target_url(const config::subscriber& s) {
    switch (s.kind) {
    case config::channel_kind::email:
        return {};
    case config::channel_kind::notify: {
        auto base = s.base_url;
        while (!base.empty() && base.back() == '/')
            base.pop_back();
        return base + "/v2/notifications/sms";
    }
    default:
        return s.url;
    }
}

void sender::set_channels(channel_settings settings) {
    boost::asio::post(ex_, [this, settings = std::move(settings)]() mutable {
        channels_ = std::move(settings);
        try {
            tz_ = date::locate_zone(channels_.timezone);
        } catch (const std::exception&) {
            tz_ = nullptr; // the config loader checked it; UTC rather than nothing
        }
    });
}

channel::message_context sender::context_for(const config::subscriber& s) const {
    return {s.name, channels_.smtp ? channels_.smtp->from : std::string(), s.to,
            channels_.public_url, clock_.now(), tz_, channels_.themes, channels_.actions};
}

void sender::look_digest(const std::string& name) {
    store_.read([this, name, after = lanes_.at(name).acked_seq](store::sqlite::db& db) {
        auto rows = store::pending_rows(db, name, after, digest_limit);
        auto last = store::last_delivery(db, name);
        // The practices' notes, read with the rows: a submission never
        // changes, so a digest sent again says the same.
        std::vector<std::string> bodies;
        for (const auto& r : rows)
            bodies.push_back(r.body);
        auto notes = store::submission_notes(db, channel::note_sources(bodies));
        boost::asio::post(ex_, [this, name, rows = std::move(rows), last,
                                notes = std::move(notes)]() mutable {
            on_batch(name, std::move(rows), last, std::move(notes));
        });
    });
}

void sender::on_batch(const std::string& name, std::vector<store::outbox_row> rows,
                      std::optional<std::int64_t> last_sent, notes_by_id notes) {
    const auto it = lanes_.find(name);
    if (it == lanes_.end())
        return;
    auto& l = it->second;
    if (stopped_ || rows.empty())
        return step(name, lane_event::nothing_due);
    std::vector<channel::pending_item> items;
    for (const auto& r : rows)
        items.push_back(
            {r.seq, r.topic, r.created_at, r.next_at, channel::item_level(r.topic, r.body)});
    if (l.last_sent > 0) // a mark may not be on disk yet
        last_sent = std::max(last_sent.value_or(0), l.last_sent);
    const auto p = channel::plan_next(items, last_sent, l.sub.group, l.sub.quiet, tz_);
    rows.resize(p.count);
    const auto now = core::to_micros(clock_.now());
    if (now - rows.front().created_at >= give_up_us) {
        // A day old: what is that old in this digest is given up, the rest
        // waits for the next look.
        std::vector<std::int64_t> old;
        for (const auto& r : rows)
            if (now - r.created_at >= give_up_us)
                old.push_back(r.seq);
        log::of<"webhook">()->warn("delivery to '{}': {} events not delivered within 24 hours; given up",
                                   name, old.size());
        metrics_.count(name, result::failed);
        transition(l.status, lane_event::give_up);
        return record(name, [name, old](store::transaction& tx) {
            for (const auto seq : old)
                store::give_up_delivery(tx, name, seq, "not delivered within 24 hours", true);
        });
    }
    if (p.due_at > now)
        return step(name, lane_event::nothing_due);
    transition(l.status, lane_event::found);
    let_go(l.look_waiters);
    send_digest(l, std::move(rows), p.summary, notes);
}

void sender::send_digest(lane& l, std::vector<store::outbox_row> rows, bool summary,
                         const notes_by_id& notes) {
    const auto c = context_for(l.sub);
    const auto kind = l.sub.kind;
    std::string text, headline;
    if (summary) {
        const auto s = channel::summary_of(rows.front().body);
        if (!s)
            return on_sent(l.sub.name, rows,
                           outcome{false, "the event is not in the event log", 0, {}, true});
        headline = channel::summary_headline(*s);
        text = kind == config::channel_kind::email  ? channel::summary_mail(*s, c)
               : kind == config::channel_kind::teams ? channel::summary_teams(*s, c)
               : kind == config::channel_kind::slack ? channel::summary_slack(*s, c)
                                                     : channel::summary_sms(*s);
    } else {
        std::vector<std::string> bodies;
        for (const auto& r : rows)
            bodies.push_back(r.body);
        static const std::vector<core::practice> none;
        const auto d = channel::build_digest(
            bodies, channels_.practices ? *channels_.practices : none, notes);
        headline = d.headline();
        text = kind == config::channel_kind::email  ? channel::digest_mail(d, c)
               : kind == config::channel_kind::teams ? channel::digest_teams(d, c)
               : kind == config::channel_kind::slack ? channel::digest_slack(d, c)
                                                     : channel::digest_sms(d);
    }
    log::of<"webhook">()->debug("delivery to '{}': {} ({} events)", l.sub.name, headline,
                                rows.size());
    deliver(l, text, {}, [this, name = l.sub.name, rows = std::move(rows)](outcome o) {
        on_sent(name, rows, std::move(o));
    });
}

void sender::deliver(lane& l, const std::string& text, std::shared_ptr<lane> probe,
                     exchange::report done) {
    switch (l.sub.kind) {
    case config::channel_kind::email:
        if (!channels_.smtp)
            return done(outcome{false, "no smtp section in the config"});
        if (!mailer_)
            mailer_ = std::make_unique<mailer>(ex_);
        return mailer_->send(mail{*channels_.smtp, l.sub.to, text}, std::move(done));
    case config::channel_kind::notify:
        return notify_each(l.sub.name, probe, text, 0, std::move(done));
    default:
        return post(l, target_url(l.sub), text, {}, std::move(done));
    }
}

void sender::notify_each(const std::string& name, std::shared_ptr<lane> probe, std::string text,
                         std::size_t i, exchange::report done) {
    // One request per number, one after another; a failure ends the round
    // and the whole digest is tried again (a number may get it twice). The
    // lane is found by name each time: a reload may have replaced it.
    const auto it = lanes_.find(name);
    if (!probe && it == lanes_.end())
        return done(outcome{false, "subscriber removed"});
    auto& l = probe ? *probe : it->second;
    if (i == l.sub.phone_numbers.size())
        return done(outcome{true, {}});
    const auto key = config::parse_notify_key(l.sub.api_key);
    if (!key)
        return done(outcome{false, "the Notify API key is not of Notify's form", 0, {}, true});
    const std::map<std::string, std::string> headers{
        {"Authorization", "Bearer " + channel::notify_jwt(key->first, key->second, clock_.now())}};
    auto body = channel::notify_body(l.sub.phone_numbers[i], l.sub.template_id, text);
    post(l, target_url(l.sub), std::move(body), headers,
         [this, name, probe, text, i, done = std::move(done)](outcome o) mutable {
             if (!o.ok) {
                 // Notify's 4xx (a bad key, a bad number, a trial key's
                 // limits) will not change by retrying; 429 and 5xx will.
                 if (o.status >= 400 && o.status < 500 && o.status != 429) {
                     o.final = true;
                     o.error = "Notify " + o.error + ": " + channel::notify_error(o.answer);
                 }
                 return done(std::move(o));
             }
             notify_each(name, probe, std::move(text), i + 1, std::move(done));
         });
}

void sender::send_test(const std::string& name, std::function<void(bool, outcome)> done) {
    boost::asio::post(ex_, [this, name, done = std::move(done)]() mutable {
        const auto it = lanes_.find(name);
        if (it == lanes_.end() || stopped_)
            return done(false, outcome{});
        // A lane of its own, so the test neither waits for nor disturbs the
        // subscriber's deliveries.
        auto probe = std::make_shared<lane>();
        probe->sub = it->second.sub;
        probe->tls = it->second.tls;
        probe->tls_error = it->second.tls_error;
        const auto c = context_for(probe->sub);
        std::string text;
        switch (probe->sub.kind) {
        case config::channel_kind::webhook:
            text = core::event_json(core::event{0, "test", clock_.now(),
                                                R"({"message":"a test message from opeld"})"});
            break;
        case config::channel_kind::email: text = channel::test_mail(c); break;
        case config::channel_kind::teams: text = channel::test_card(true, c); break;
        case config::channel_kind::slack: text = channel::test_card(false, c); break;
        case config::channel_kind::notify: text = "OPEL test message from opeld"; break;
        }
        deliver(*probe, text, probe, [probe, done](outcome o) {
            if (probe->conn) // not kept: nothing else will use it
                probe->conn->close();
            done(true, std::move(o));
        });
    });
}

} // namespace opel::webhook
