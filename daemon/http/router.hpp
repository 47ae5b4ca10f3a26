#pragma once
// Maps an HTTP request to the service that answers it. Transport-free apart
// from Beast's request type: the session owns sockets, the router owns meaning.

#include "service/reply.hpp"
#include "service/services.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <functional>
#include <string>

namespace opel::http {

/// A parsed request as the router sees it.
using request = boost::beast::http::request<boost::beast::http::string_body>;

/// Routes requests to handlers; one per server, used on the io thread.
class router {
public:
    /// Answers go through this, on the io thread, exactly once per request.
    using done = std::function<void(service::reply)>;

    explicit router(service::services& s) : s_(s) {}

    /// Handles `req` from `peer`.
    void handle(const request& req, const std::string& peer, done on_done);

private:
    void submissions_post(const request& req, const std::string& peer, done on_done);
    void submissions_get(const request& req, done on_done);
    void status_get(const request& req, done on_done);

    service::services& s_;
};

} // namespace opel::http
