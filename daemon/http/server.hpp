#pragma once
// The HTTP server, the owner object of Asio's http/server example: it holds
// the listener, the connection manager, the per-address limiter and the TLS
// context, turns each accepted socket into a session (or a 503 past the
// connection cap), and on stop closes the listener and asks every connection
// to finish, so that run() returns by itself.

#include "config/config.hpp"
#include "service/address_limiter.hpp"
#include "http/connection_manager.hpp"
#include "http/listener.hpp"
#include "http/router.hpp"
#include "service/metrics.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <optional>

namespace opel::http {

/// Limits a session applies, from the config's `http:` section.
struct session_limits {
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 64 * 1024; ///< unless the route says otherwise
    std::chrono::seconds read_timeout{10};
    std::chrono::seconds idle_timeout{60};
};

/// The HTTP server.
class server {
public:
    /// Binds `cfg.listen` on `ioc`; throws if it cannot.
    server(boost::asio::io_context& ioc, const config::http_config& cfg, router& r,
           service::metrics& m);

    /// Starts accepting.
    void start();
    /// Stops accepting and asks every connection to close after its current request.
    void stop();
    /// True when the listener speaks TLS (fixed at start).
    bool tls() const { return tls_ != nullptr; }
    /// The TLS context new connections use; null for plain HTTP.
    std::shared_ptr<boost::asio::ssl::context> tls_context() const { return tls_; }
    /// On reload: loads the certificate and key again for new connections
    /// (open ones keep theirs). A pair that cannot be loaded is logged and the
    /// one in force stays; turning TLS on or off needs a restart. False when
    /// refused.
    bool reload_tls(const config::http_config& cfg);
    /// Sets the per-address limits (at start and on reload).
    void set_address_limits(const config::address_limits_config& l) { address_limiter_.configure(l); }
    /// For sessions: takes one request from `peer`'s bucket; a 429 reply with
    /// Retry-After when it is over its limit.
    std::optional<service::reply> limit_address(const std::string& peer) {
        return address_limiter_.take(peer);
    }
    /// The number of per-address buckets held (for tests).
    std::size_t address_buckets() const { return address_limiter_.size(); }
    /// The port actually bound (for port 0).
    std::uint16_t port() const { return listener_.port(); }

    /// For sessions: the router, the limits, the counters.
    router& routes() { return router_; }
    const session_limits& limits() const { return limits_; }
    /// The largest body any route allows (a parser's limit until the route is known).
    std::size_t largest_body_limit() const { return largest_body_; }
    service::metrics& counters() { return metrics_; }
    /// True once stop() was called.
    bool stopping() const { return stopping_; }

private:
    void on_accept(boost::asio::ip::tcp::socket socket);
    void refuse(boost::asio::ip::tcp::socket socket);

    listener listener_;
    router& router_;
    service::metrics& metrics_;
    session_limits limits_;
    std::size_t max_connections_;
    std::size_t max_per_address_;
    std::size_t largest_body_ = 0;
    connection_manager connections_;
    service::address_limiter address_limiter_;
    bool stopping_ = false;
    std::shared_ptr<boost::asio::ssl::context> tls_;
};

} // namespace opel::http
