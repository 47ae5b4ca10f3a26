// The core routes: health, metrics, status and submissions. Reads of the
// store run on its reader thread and post their answer back to the io thread.
#include "http/router.hpp"

#include "core/json_out.hpp"
#include "core/time.hpp"
#include "store/queries.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

std::string encode_cursor(const core::submission& s) {
    return std::to_string(s.reported_at.time_since_epoch().count()) + "-" + std::to_string(s.id);
}

std::optional<std::pair<core::time_point, std::int64_t>> decode_cursor(const std::string& c) {
    const auto dash = c.find('-');
    if (dash == std::string::npos)
        return std::nullopt;
    const auto t = parse_int(c.substr(0, dash));
    const auto id = parse_int(c.substr(dash + 1));
    if (!t || !id)
        return std::nullopt;
    return std::pair{core::from_micros(*t), *id};
}

/// Fills `f` from the query; an error reply when a parameter is bad.
std::optional<reply> read_filter(const std::map<std::string, std::string>& q,
                                 store::submission_filter& f) {
    for (const auto& [key, value] : q) {
        if (key == "practice") {
            f.practice = value;
        } else if (key == "since" || key == "until") {
            const auto t = core::parse_time(value);
            if (!t)
                return bad_param(key, "must be an RFC 3339 time, e.g. 2026-11-28T09:00:00Z.");
            (key == "since" ? f.since : f.until) = *t;
        } else if (key == "limit") {
            const auto n = parse_int(value);
            if (!n || *n < 1 || *n > 10000)
                return bad_param(key, "must be an integer from 1 to 10000.");
            f.limit = static_cast<std::size_t>(*n);
        } else if (key == "cursor") {
            f.after = decode_cursor(value);
            if (!f.after)
                return bad_param(key, "is not a cursor this server gave out.");
        } else {
            return bad_param(key, "is not known here.");
        }
    }
    return std::nullopt;
}

void submissions_post(router& r, call& c, done on_done) {
    const auto type = c.req[bhttp::field::content_type];
    if (!type.empty() && type.substr(0, 16) != "application/json")
        return on_done(error_reply(415, "unsupported_media_type",
                                   "Send the submission as Content-Type: application/json."));
    service::submission_request sr;
    sr.body = c.req.body();
    sr.kind = core::ingest_kind::http;
    sr.bearer = std::string(request_bearer(c.req));
    sr.peer = c.peer;
    sr.path = std::string(c.req.target());
    if (auto it = c.req.find("Idempotency-Key"); it != c.req.end())
        sr.idempotency_key = std::string(it->value());
    r.services().ingest.submit(std::move(sr), std::move(on_done));
}

void submissions_get(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    store::submission_filter f;
    if (auto bad = read_filter(c.query, f))
        return on_done(std::move(*bad));
    if (!service::can_read_all(who->role)) {
        // A practice reads its own reports only; with no practice named, those.
        if (f.practice && *f.practice != who->practice)
            return on_done(error_reply(403, "forbidden",
                                       "A practice token may read its own submissions only.",
                                       "practice"));
        f.practice = who->practice;
    }
    auto& s = r.services();
    s.store.read([f, on_done = std::move(on_done), ex = s.executor](store::sqlite::db& db) {
        reply answer;
        try {
            auto rows = store::list_submissions(db, f);
            boost::json::array list;
            for (const auto& row : rows)
                list.emplace_back(core::to_json(row));
            boost::json::value next = nullptr;
            if (rows.size() == f.limit)
                next = boost::json::string(encode_cursor(rows.back()));
            answer = service::json_reply(200, {{"submissions", std::move(list)}, {"next", next}});
        } catch (const std::exception&) {
            answer = error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        boost::asio::post(ex, [on_done, answer = std::move(answer)]() mutable {
            on_done(std::move(answer));
        });
    });
}

void status_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    auto& s = r.services();
    const auto& cfg = *s.deployment->cfg;
    on_done(service::json_reply(200, service::status_json(cfg.practices, s.state.snapshot(),
                                                          s.clock.now(), cfg.rules->stale_after,
                                                          cfg.rules->system)));
}

} // namespace

void add_core_routes(router& r) {
    // 200 while the daemon can accept work; 503 (and why) while the
    // database refuses writes, until a write succeeds again.
    r.add(bhttp::verb::get, "/healthz", [&r](call&, done on_done) {
        const auto& st = r.services().store;
        if (st.metrics().writable.load() != 0)
            return on_done(service::json_reply(200, boost::json::object{{"status", "ok"}}));
        on_done(service::json_reply(
            503, boost::json::object{{"status", "degraded"},
                                     {"store", {{"writable", false}, {"error", st.fault()}}}}));
    });
    r.add(bhttp::verb::get, "/metrics", [&r](call&, done on_done) {
        auto& s = r.services();
        on_done(reply{200, service::render_metrics(s.metrics, s.store.metrics()),
                      "text/plain; version=0.0.4; charset=utf-8", {}});
    });
    r.add(bhttp::verb::get, "/v1/status",
          [&r](call& c, done d) { status_get(r, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/submissions",
          [&r](call& c, done d) { submissions_get(r, c, std::move(d)); });
    r.add(bhttp::verb::post, "/v1/submissions",
          [&r](call& c, done d) { submissions_post(r, c, std::move(d)); });
}

} // namespace opel::http
