// Routing and the read handlers. Every call but /healthz and /metrics is
// authenticated first; the role check follows the contract's table; then the
// handler validates its parameters and answers, reading from the store on the
// reader thread so the io thread never waits on SQLite.
#include "http/router.hpp"

#include "core/json_out.hpp"
#include "core/time.hpp"
#include "store/queries.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>
#include <map>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

/// The query parameters of a request target, last one winning; nullopt when
/// the target does not parse.
std::optional<std::map<std::string, std::string>> query_of(std::string_view target) {
    auto url = boost::urls::parse_origin_form(target);
    if (!url)
        return std::nullopt;
    std::map<std::string, std::string> out;
    for (const auto& p : url->params())
        out[p.key] = p.value;
    return out;
}

std::string path_of(std::string_view target) {
    return std::string(target.substr(0, target.find('?')));
}

reply method_not_allowed(const char* allow) {
    auto r = error_reply(405, "method_not_allowed",
                         std::string("This path answers ") + allow + " only.");
    r.headers.emplace_back("Allow", allow);
    return r;
}

reply forbidden() {
    return error_reply(403, "forbidden", "This token's role may not make this call.");
}

reply bad_param(const std::string& name, const std::string& why) {
    return error_reply(400, "invalid_parameter", "Query parameter '" + name + "' " + why, name);
}

std::optional<std::int64_t> to_int(const std::string& s) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::string encode_cursor(const core::submission& s) {
    return std::to_string(s.reported_at.time_since_epoch().count()) + "-" + std::to_string(s.id);
}

std::optional<std::pair<core::time_point, std::int64_t>> decode_cursor(const std::string& c) {
    const auto dash = c.find('-');
    if (dash == std::string::npos)
        return std::nullopt;
    const auto t = to_int(c.substr(0, dash));
    const auto id = to_int(c.substr(dash + 1));
    if (!t || !id)
        return std::nullopt;
    return std::pair{core::time_point{std::chrono::microseconds{*t}}, *id};
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
            const auto n = to_int(value);
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

} // namespace

void router::handle(const request& req, const std::string& peer, done on_done) {
    const auto path = path_of(req.target());
    const auto method = req.method();
    if (path == "/healthz") {
        if (method != bhttp::verb::get && method != bhttp::verb::head)
            return on_done(method_not_allowed("GET"));
        return on_done(service::json_reply(200, boost::json::object{{"status", "ok"}}));
    }
    if (path == "/metrics") {
        if (method != bhttp::verb::get && method != bhttp::verb::head)
            return on_done(method_not_allowed("GET"));
        return on_done(reply{200, service::render_metrics(s_.counters, s_.store.metrics()),
                             "text/plain; version=0.0.4; charset=utf-8", {}});
    }
    if (path == "/v1/submissions") {
        if (method == bhttp::verb::post)
            return submissions_post(req, peer, std::move(on_done));
        if (method == bhttp::verb::get)
            return submissions_get(req, std::move(on_done));
        return on_done(method_not_allowed("GET, POST"));
    }
    if (path == "/v1/status") {
        if (method != bhttp::verb::get)
            return on_done(method_not_allowed("GET"));
        return status_get(req, std::move(on_done));
    }
    on_done(error_reply(404, "not_found", "There is nothing at " + path + "."));
}

void router::submissions_post(const request& req, const std::string& peer, done on_done) {
    const auto type = req[bhttp::field::content_type];
    if (!type.empty() && type.substr(0, 16) != "application/json")
        return on_done(error_reply(415, "unsupported_media_type",
                                   "Send the submission as Content-Type: application/json."));
    service::submission_request sr;
    sr.body = req.body();
    sr.kind = core::ingest_kind::http;
    sr.bearer = std::string(service::bearer_token(req[bhttp::field::authorization]));
    sr.peer = peer;
    if (auto it = req.find("Idempotency-Key"); it != req.end())
        sr.idempotency_key = std::string(it->value());
    s_.submissions.submit(std::move(sr), std::move(on_done));
}

void router::submissions_get(const request& req, done on_done) {
    auto admitted = s_.submissions.admit(service::bearer_token(req[bhttp::field::authorization]));
    if (auto* r = std::get_if<reply>(&admitted))
        return on_done(std::move(*r));
    const auto& who = std::get<service::principal>(admitted);
    const auto q = query_of(req.target());
    if (!q)
        return on_done(error_reply(400, "invalid_target", "The request target does not parse."));
    store::submission_filter f;
    if (auto bad = read_filter(*q, f))
        return on_done(std::move(*bad));
    if (!service::can_read_all(who.role)) {
        // A practice reads its own reports only; with no practice named, those.
        if (f.practice && *f.practice != who.practice)
            return on_done(forbidden());
        f.practice = who.practice;
    }
    s_.store.read([f, on_done = std::move(on_done), this](store::sqlite::db& db) mutable {
        reply r;
        try {
            auto rows = store::list_submissions(db, f);
            boost::json::array list;
            for (const auto& s : rows)
                list.emplace_back(core::to_json(s));
            boost::json::value next = nullptr;
            if (rows.size() == f.limit)
                next = boost::json::string(encode_cursor(rows.back()));
            r = service::json_reply(200, {{"submissions", std::move(list)}, {"next", next}});
        } catch (const std::exception&) {
            r = error_reply(503, "store_unavailable", "The store could not be read; try again.");
        }
        boost::asio::post(s_.executor, [on_done = std::move(on_done), r = std::move(r)]() mutable {
            on_done(std::move(r));
        });
    });
}

void router::status_get(const request& req, done on_done) {
    auto admitted = s_.submissions.admit(service::bearer_token(req[bhttp::field::authorization]));
    if (auto* r = std::get_if<reply>(&admitted))
        return on_done(std::move(*r));
    if (!service::can_read_all(std::get<service::principal>(admitted).role))
        return on_done(forbidden());
    const auto& cfg = *s_.current->cfg;
    on_done(service::json_reply(
        200, service::status_json(cfg.practices, s_.state.snapshot(), s_.clock.now(),
                                  cfg.rules->stale_after, cfg.rules->system)));
}

} // namespace opel::http
