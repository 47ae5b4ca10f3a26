#pragma once
// Maps an HTTP request to the handler that answers it. Each resource's
// handlers live in their own *_api.cpp and register their routes here; the
// session owns sockets, the router owns meaning. What the session must know
// of a route before it reads the body (its body limit, whether it takes the
// connection over) is the route's metadata, read after the header.

#include "http/connection_manager.hpp"
#include "http/stream.hpp"
#include "service/jobs.hpp"
#include "service/reply.hpp"
#include "service/services.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace opel::http {

/// A parsed request as the router sees it.
using request = boost::beast::http::request<boost::beast::http::string_body>;

/// Answers go through this, on the io thread, exactly once per request.
using service::done;

/// What a handler gets besides the request.
struct call {
    const request& req;
    const std::string& peer;
    std::vector<std::string> params;           ///< the `{}` segments of the path, in order
    std::map<std::string, std::string> query;  ///< last value wins
};

/// A route's handler.
using handler = std::function<void(call&, done)>;

/// A streaming route's handler: it takes the connection (and its place in the
/// connection count) over and answers on it by itself.
using stream_handler = std::function<void(call&, any_stream&&, connection_slot&&)>;

/// What the transport reads of a route after the request's header.
struct route_options {
    std::optional<std::size_t> body_limit; ///< unset: the server's `http.body_limit`
    bool streaming = false;                ///< set by add_stream()
};

/// Who may make a call.
enum class access { anyone, reader, admin };

/// Routes requests to handlers; one per server, used on the io thread.
class router {
public:
    explicit router(service::services& s) : s_(s) {}

    /// Adds a route: `pattern` is a path whose `{}` segments match any one segment.
    void add(boost::beast::http::verb method, std::string pattern, handler h,
             route_options options = {});
    /// Adds a GET route that takes the connection over (an event stream).
    void add_stream(std::string pattern, stream_handler h);
    /// The metadata of the route `head` (a request's header) goes to; the
    /// defaults when none matches (the answer then says why).
    route_options options(const request& head) const;
    /// The largest body any route allows, or `fallback` if that is larger.
    std::size_t largest_body_limit(std::size_t fallback) const;
    /// Handles `req` from `peer`.
    void handle(const request& req, const std::string& peer, done on_done);
    /// Hands the connection to the streaming route `req` goes to; the caller
    /// checked options(req).streaming and that it is a GET.
    void open_stream(const request& req, const std::string& peer, any_stream&& stream,
                     connection_slot&& slot);

    /// The services handlers use.
    service::services& services() { return s_; }

private:
    struct method_entry {
        handler plain;
        stream_handler stream;
        route_options options;
    };
    struct route {
        std::vector<std::string> segments;
        std::map<boost::beast::http::verb, method_entry> methods;
    };
    void add_entry(boost::beast::http::verb method, std::string pattern, method_entry e);
    const route* match(const std::vector<std::string>& segments,
                       std::vector<std::string>& params) const;
    /// The entry `c.req` goes to, with `c`'s params and query filled in; else
    /// nullptr and `refusal` says why (400, 404 or 405).
    const method_entry* find(call& c, service::reply& refusal) const;

    service::services& s_;
    std::vector<route> routes_;
};

/// Authenticates the call's bearer token (with rate limiting) and checks
/// `who`; on refusal answers through `on_done` and returns nullopt.
std::optional<service::principal> admit(router& r, const call& c, access who, const done& on_done);

/// The bearer token of `req`; empty when it has no Authorization header or
/// more than one (ambiguous credentials are no credentials).
std::string_view request_bearer(const request& req);

/// A whole decimal integer (a query parameter, a path segment), or nullopt.
std::optional<std::int64_t> parse_int(std::string_view s);

/// A seq number: a whole non-negative decimal integer, or nullopt.
std::optional<std::int64_t> parse_seq(std::string_view s);

/// The most entries a page of /v1/events or /v1/audit holds.
constexpr std::int64_t max_page = 1000;

/// A 400 for a bad query parameter.
service::reply bad_param(const std::string& name, const std::string& why);

// Store jobs and their answers are the service layer's (service/jobs.hpp).
using service::answer;
using service::read_and_answer;
using service::write_and_answer;

/// Registers /healthz, /metrics, /v1/status and /v1/submissions.
void add_core_routes(router& r);

} // namespace opel::http
