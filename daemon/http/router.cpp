// Path matching and the checks every route shares. Routes are matched by
// segments so that /v1/alerts/{id}/ack needs no regular expression; a known
// path with the wrong method is a 405 with Allow, an unknown one a 404.
#include "http/router.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <charconv>

namespace opel::http {

namespace bhttp = boost::beast::http;

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < path.size()) {
        if (path[i] == '/') {
            ++i;
            continue;
        }
        const auto j = path.find('/', i);
        out.emplace_back(path.substr(i, j == std::string_view::npos ? path.npos : j - i));
        if (j == std::string_view::npos)
            break;
        i = j;
    }
    return out;
}

service::reply method_not_allowed(const std::string& allow) {
    auto r = service::error_reply(405, "method_not_allowed", "This path answers " + allow +
                                                                 " only.");
    r.headers.emplace_back("Allow", allow);
    return r;
}

} // namespace

void router::add(bhttp::verb method, std::string pattern, handler h, route_options options) {
    add_entry(method, std::move(pattern), {std::move(h), {}, options});
}

void router::add_stream(std::string pattern, stream_handler h) {
    add_entry(bhttp::verb::get, std::move(pattern),
              {{}, std::move(h), {.body_limit = std::nullopt, .streaming = true}});
}

void router::add_entry(bhttp::verb method, std::string pattern, method_entry e) {
    auto segments = split_path(pattern);
    for (auto& r : routes_)
        if (r.segments == segments) {
            r.methods[method] = std::move(e);
            return;
        }
    routes_.push_back({std::move(segments), {}});
    routes_.back().methods[method] = std::move(e);
}

const router::route* router::match(const std::vector<std::string>& segments,
                                   std::vector<std::string>& params) const {
    for (const auto& r : routes_) {
        if (r.segments.size() != segments.size())
            continue;
        params.clear();
        bool ok = true;
        for (std::size_t i = 0; ok && i < segments.size(); ++i) {
            if (r.segments[i] == "{}")
                params.push_back(segments[i]);
            else
                ok = r.segments[i] == segments[i];
        }
        if (ok)
            return &r;
    }
    return nullptr;
}

const router::method_entry* router::find(call& c, service::reply& refusal) const {
    auto url = boost::urls::parse_origin_form(c.req.target());
    if (!url) {
        refusal = service::error_reply(400, "invalid_target",
                                       "The request target is not a valid path.");
        return nullptr;
    }
    for (const auto& p : url->params())
        c.query[p.key] = p.value;
    const std::string path = url->path();
    const auto* r = match(split_path(path), c.params);
    if (!r) {
        refusal = service::error_reply(404, "not_found", "There is nothing at " + path + ".");
        return nullptr;
    }
    auto method = c.req.method();
    if (method == bhttp::verb::head)
        method = bhttp::verb::get; // the session drops the body
    const auto it = r->methods.find(method);
    if (it == r->methods.end()) {
        std::string allow;
        for (const auto& [m, h] : r->methods)
            allow += (allow.empty() ? "" : ", ") + std::string(bhttp::to_string(m));
        refusal = method_not_allowed(allow);
        return nullptr;
    }
    if (it->second.stream && c.req.method() != bhttp::verb::get) {
        // A HEAD of a stream: there is no stream without its body.
        refusal = service::error_reply(400, "not_a_stream", "Open " + path + " with GET.");
        return nullptr;
    }
    return &it->second;
}

route_options router::options(const request& head) const {
    const std::string no_peer;
    call c{head, no_peer, {}, {}};
    service::reply ignored;
    const auto* e = find(c, ignored);
    return e ? e->options : route_options{};
}

std::size_t router::largest_body_limit(std::size_t fallback) const {
    for (const auto& r : routes_)
        for (const auto& [m, e] : r.methods)
            fallback = std::max(fallback, e.options.body_limit.value_or(0));
    return fallback;
}

void router::handle(const request& req, const std::string& peer, done on_done) {
    call c{req, peer, {}, {}};
    service::reply refusal;
    const auto* e = find(c, refusal);
    if (!e)
        return on_done(std::move(refusal));
    if (!e->plain) // a stream reached here only by a session that did not hand it over
        return on_done(service::error_reply(400, "not_a_stream", "Open this path with GET."));
    e->plain(c, std::move(on_done));
}

void router::open_stream(const request& req, const std::string& peer, any_stream&& stream,
                         connection_slot&& slot) {
    call c{req, peer, {}, {}};
    service::reply refusal;
    const auto* e = find(c, refusal);
    if (e && e->stream)
        e->stream(c, std::move(stream), std::move(slot));
}

std::string_view request_bearer(const request& req) {
    if (req.count(bhttp::field::authorization) != 1)
        return {};
    return service::bearer_token(req[bhttp::field::authorization]);
}

std::optional<service::principal> admit(router& r, const call& c, access who,
                                        const done& on_done) {
    auto admitted = r.services().gatekeeper.admit(request_bearer(c.req), {c.peer, c.req.target()});
    if (auto* refused = std::get_if<service::reply>(&admitted)) {
        on_done(std::move(*refused));
        return std::nullopt;
    }
    auto p = std::get<service::principal>(admitted);
    const bool allowed = who == access::anyone ||
                         (who == access::reader && service::can_read_all(p.role)) ||
                         (who == access::admin && p.role == core::role::admin);
    if (!allowed) {
        r.services().gatekeeper.log_refusal({c.peer, c.req.target()},
                                            "403: token '" + p.name + "' may not make this call");
        on_done(service::error_reply(403, "forbidden",
                                     "This token's role may not make this call."));
        return std::nullopt;
    }
    return p;
}

std::optional<std::int64_t> parse_int(std::string_view s) {
    std::int64_t v = 0;
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || ec != std::errc() || p != s.data() + s.size())
        return std::nullopt;
    return v;
}

std::optional<std::int64_t> parse_seq(std::string_view s) {
    const auto v = parse_int(s);
    return v && *v >= 0 ? v : std::nullopt;
}

service::reply bad_param(const std::string& name, const std::string& why) {
    return service::error_reply(400, "invalid_parameter",
                                "Query parameter '" + name + "' " + why, name);
}

} // namespace opel::http
