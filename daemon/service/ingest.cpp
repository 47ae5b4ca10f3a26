// The submission pipeline. Everything before the store runs on the io
// thread; the store job runs on the writer thread inside the group commit, so
// the idempotency check, the insert, the status event and the alerts it
// raises land in one transaction; the answer is posted back to the io thread
// only after that transaction is durable.
#include "service/ingest.hpp"

#include "core/json_out.hpp"
#include "core/time.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace opel::service {

namespace {

boost::json::object accepted_body(const core::submission& s,
                                  const std::vector<std::int64_t>& alerts) {
    return {{"id", s.id},
            {"practice", s.practice},
            {"level", s.level},
            {"themes", boost::json::array(s.themes.begin(), s.themes.end())},
            {"received_at", core::format_time(s.received_at)},
            {"alerts", boost::json::array(alerts.begin(), alerts.end())}};
}

/// The answer when the transaction did not commit: nothing of it was stored.
reply not_stored(const store::store& st) {
    const auto why = st.fault();
    auto r = why.empty()
                 ? error_reply(503, "store_unavailable",
                               "The submission could not be saved and nothing was stored; "
                               "try again shortly.")
                 : error_reply(503, "store_unavailable",
                               "The database cannot be written now (" + why +
                                   "), so nothing was stored; the daemon still serves reads. "
                                   "Try again later.");
    r.headers.emplace_back("Retry-After", "5");
    return r;
}

} // namespace

ingest::ingest(boost::asio::any_io_executor ex, store::store& store, const core::clock& clock,
               gatekeeper& gate, practice_state& state, metrics& m)
    : ex_(std::move(ex)), store_(store), clock_(clock), gate_(gate), state_(state), metrics_(m) {}

void ingest::set_deployment(std::shared_ptr<const deployment> d) {
    deployment_ = std::move(d);
}

std::optional<reply> ingest::authorise(const principal& who, const core::submission& s) {
    if (who.role == core::role::admin)
        return std::nullopt;
    if (who.role != core::role::practice)
        return error_reply(403, "forbidden", "This token may not submit reports; only a "
                                             "practice token (or admin) may.");
    if (who.practice != s.practice)
        return error_reply(403, "forbidden",
                           "This token may only submit for practice " + who.practice + ".",
                           "practice");
    return std::nullopt;
}

void ingest::submit(submission_request req, done on_done) {
    std::optional<principal> who;
    if (req.kind != core::ingest_kind::zmq) {
        auto admitted = gate_.admit(req.bearer, {req.peer, req.path});
        if (auto* r = std::get_if<reply>(&admitted))
            return finish(on_done, std::move(*r), false);
        who = std::get<principal>(admitted);
    }
    auto parsed = core::parse_submission(req.body, req.kind);
    if (auto* e = std::get_if<core::error>(&parsed))
        return finish(on_done, error_reply(*e), false);
    auto& p = std::get<core::parsed_submission>(parsed);
    if (!who) {
        auto admitted = gate_.admit(p.token.value_or(""), {req.peer, "zmq ingest"});
        if (auto* r = std::get_if<reply>(&admitted))
            return finish(on_done, std::move(*r), false);
        who = std::get<principal>(admitted);
    }
    auto& s = p.value;
    if (auto refused = authorise(*who, s)) {
        gate_.log_refusal({req.peer, req.kind == core::ingest_kind::zmq ? "zmq ingest" : req.path},
                          "403: token '" + loggable(who->name) + "' may not submit for " +
                              loggable(s.practice));
        return finish(on_done, std::move(*refused), false);
    }
    const auto& d = *deployment_;
    auto bad = core::check_references(
        s, [&](std::string_view code) { return d.find_practice(code) != nullptr; },
        [&](std::string_view theme) { return d.cfg->rules->has_theme(std::string(theme)); });
    if (bad)
        return finish(on_done, error_reply(*bad), false);
    if (req.idempotency_key) {
        // The header is checked exactly as the body's field is.
        if (auto e = core::check_idempotency_key(*req.idempotency_key, "Idempotency-Key header"))
            return finish(on_done, error_reply(*e), false);
        if (s.idempotency_key && *s.idempotency_key != *req.idempotency_key)
            return finish(on_done,
                          error_reply(400, "conflicting_idempotency_key",
                                      "The Idempotency-Key header and the idempotency_key field "
                                      "differ; send one, or the same in both.",
                                      "idempotency_key"),
                          false);
        s.idempotency_key = std::move(req.idempotency_key);
    }
    s.received_at = clock_.now();
    s.reported_at = s.received_at;
    store_submission(std::move(s), std::move(on_done));
}

void ingest::store_submission(core::submission s, done on_done) {
    struct outcome {
        reply r;
        bool replayed = false;
        std::optional<core::submission> stored;
    };
    auto out = std::make_shared<outcome>();
    auto hash = core::content_hash(s);
    auto job = [s = std::move(s), hash = std::move(hash), out,
                evaluate = evaluate_](store::transaction& tx) mutable {
        if (s.idempotency_key) {
            if (auto prev = tx.find_idempotency(s.practice, *s.idempotency_key)) {
                if (prev->content_hash != hash) {
                    out->r = error_reply(409, "idempotency_key_reused",
                                         "This idempotency key was used for a different "
                                         "submission; use a new key for new content.",
                                         "idempotency_key");
                    return;
                }
                out->r = reply{prev->status, std::move(prev->body), "application/json",
                               {{"Idempotent-Replayed", "true"}}};
                out->replayed = true;
                return;
            }
        }
        s.id = tx.insert_submission(s, hash, false);
        tx.append_event("status." + s.practice, core::to_json_text(s));
        const auto alerts = evaluate ? evaluate(tx, s) : std::vector<std::int64_t>{};
        out->r = json_reply(201, accepted_body(s, alerts));
        if (s.idempotency_key)
            tx.put_idempotency(s.practice, *s.idempotency_key, {hash, 201, out->r.body});
        out->stored = std::move(s);
    };
    auto after_commit = [this, out, on_done](bool committed) {
        if (committed && out->stored)
            state_.record(*out->stored);
        reply r = committed ? std::move(out->r) : not_stored(store_);
        const bool replayed = committed && out->replayed;
        boost::asio::post(ex_, [this, on_done, r = std::move(r), replayed]() mutable {
            finish(on_done, std::move(r), replayed);
        });
    };
    if (!store_.write(std::move(job), std::move(after_commit)))
        finish(on_done,
               error_reply(503, "overloaded",
                           "The daemon is at capacity and stored nothing; try again shortly."),
               false);
}

void ingest::finish(const done& on_done, reply r, bool replayed) {
    metrics_.count_submission(r.status, replayed);
    on_done(std::move(r));
}

} // namespace opel::service
