#pragma once
// The HTTP listener: accepts connections, caps how many are open, and on stop
// closes the acceptor and asks every session to finish, so that run() returns
// by itself once the last in-flight request is answered.

#include "config/config.hpp"
#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "core/rate_limiter.hpp"
#include "service/metrics.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <unordered_map>

namespace opel::http {

class session;

/// Limits a session applies, from the config's `http:` section.
struct session_limits {
    std::size_t header_limit = 8 * 1024;
    std::size_t body_limit = 64 * 1024;
    std::size_t import_body_limit = 4 * 1024 * 1024; ///< POST /v1/import only
    std::size_t sse_queue_limit = 1 << 20;           ///< bytes queued per SSE client
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
    /// Stops accepting and asks every session to close after its current request.
    void stop();
    /// Sets how much an SSE client may have queued before it is cut off.
    void set_sse_queue_limit(std::size_t bytes) { limits_.sse_queue_limit = bytes; }
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
    void set_address_limits(const config::address_limits_config& l);
    /// For sessions: takes one request from `peer`'s bucket; a 429 reply with
    /// Retry-After when it is over its limit.
    std::optional<service::reply> limit_address(const std::string& peer);
    /// The number of per-address buckets held (for tests).
    std::size_t address_buckets() const { return address_limiter_.size(); }
    /// The port actually bound (for port 0).
    std::uint16_t port() const { return port_; }

    /// For sessions: the router, the limits, the counters.
    router& routes() { return router_; }
    const session_limits& limits() const { return limits_; }
    service::metrics& counters() { return metrics_; }
    /// For sessions: registration, so stop() can reach them.
    void attach(std::uint64_t id, std::weak_ptr<session> s) { sessions_[id] = std::move(s); }
    void detach(std::uint64_t id) { sessions_.erase(id); }
    /// The live-event fan-out for SSE streams.
    event_hub& hub() { return hub_; }
    /// True once stop() was called.
    bool stopping() const { return stopping_; }

private:
    void do_accept();
    void refuse(boost::asio::ip::tcp::socket socket);

    boost::asio::io_context& ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    router& router_;
    service::metrics& metrics_;
    session_limits limits_;
    std::size_t max_connections_;
    std::uint16_t port_ = 0;
    std::uint64_t next_id_ = 0;
    std::unordered_map<std::uint64_t, std::weak_ptr<session>> sessions_;
    bool stopping_ = false;
    event_hub hub_;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    core::rate_limiter address_limiter_{0, 0};
    std::set<std::string, std::less<>> exempt_;
    core::time_point last_expiry_{};
};

} // namespace opel::http
