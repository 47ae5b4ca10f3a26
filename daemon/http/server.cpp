// The connection cap and the TLS context. Past the cap a connection is
// answered 503 at once and closed, so an overloaded daemon says so instead of
// hanging.
#include "http/server.hpp"

#include "http/session.hpp"
#include "http/tls.hpp"
#include "log/log.hpp"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace opel::http {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

/// The client's address as limits, exemptions and logs name it.
std::string peer_name(const tcp::socket& socket) {
    boost::system::error_code ec;
    const auto ep = socket.remote_endpoint(ec);
    if (ec)
        return {};
    // On a dual-stack listener ([::]) an IPv4 client arrives as
    // ::ffff:a.b.c.d; it is named by its IPv4 address, so that it is treated
    // the same on either kind of listener.
    auto a = ep.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a.to_string();
}

} // namespace

server::server(asio::io_context& ioc, const config::http_config& cfg, router& r,
               service::metrics& m)
    : listener_(ioc, cfg.listen, m.http_accept_failures), router_(r), metrics_(m),
      limits_{.header_limit = cfg.header_limit,
              .body_limit = cfg.body_limit,
              .read_timeout = cfg.read_timeout,
              .idle_timeout = cfg.idle_timeout},
      max_connections_(cfg.max_connections),
      max_per_address_(cfg.max_connections_per_address), address_limiter_(r.services().clock, m.address_limited) {
    if (cfg.tls_cert && cfg.tls_key) {
        auto made = make_tls_context(*cfg.tls_cert, *cfg.tls_key);
        if (auto* why = std::get_if<std::string>(&made))
            throw std::runtime_error("TLS: " + *why);
        tls_ = std::get<std::shared_ptr<asio::ssl::context>>(made);
    }
}

bool server::reload_tls(const config::http_config& cfg) {
    const bool wanted = cfg.tls_cert && cfg.tls_key;
    if (wanted != tls()) {
        log::of<"http">()->warn("TLS was turned {} in the config: that takes a restart; "
                                "the listener stays as it is",
                                wanted ? "on" : "off");
        return false;
    }
    if (!wanted)
        return true;
    auto made = make_tls_context(*cfg.tls_cert, *cfg.tls_key);
    if (auto* why = std::get_if<std::string>(&made)) {
        log::of<"http">()->error("TLS reload refused, the certificate in force stays: {}", *why);
        return false;
    }
    tls_ = std::get<std::shared_ptr<asio::ssl::context>>(made);
    log::of<"http">()->info("TLS certificate reloaded from {}", cfg.tls_cert->string());
    return true;
}

void server::start() {
    largest_body_ = router_.largest_body_limit(limits_.body_limit);
    listener_.start([this](tcp::socket socket) { on_accept(std::move(socket)); });
}

void server::stop() {
    stopping_ = true;
    listener_.stop();
    connections_.stop_all();
}

void server::on_accept(tcp::socket socket) {
    if (stopping_)
        return;
    if (connections_.size() >= max_connections_)
        return refuse(std::move(socket));
    const auto peer = peer_name(socket);
    // One address may not hold every connection: the others still get in.
    if (connections_.from(peer) >= max_per_address_ && !address_limiter_.exempt(peer))
        return refuse(std::move(socket));
    auto slot = connections_.admit(peer);
    std::make_shared<session>(std::move(socket), *this, std::move(slot), peer)->start();
}

void server::refuse(tcp::socket socket) {
    if (tls_) {
        // A plain-text answer would be garbage to a TLS client: just close.
        boost::system::error_code ec;
        socket.shutdown(tcp::socket::shutdown_both, ec);
        socket.close(ec);
        return;
    }
    static const std::string answer =
        "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
        "Connection: close\r\nRetry-After: 1\r\nContent-Length: 99\r\n\r\n"
        "{\"error\":{\"code\":\"too_many_connections\",\"message\":\"The server is at its "
        "connection limit; retry.\"}}";
    auto s = std::make_shared<tcp::socket>(std::move(socket));
    asio::async_write(*s, asio::buffer(answer), [s](boost::system::error_code, std::size_t) {
        boost::system::error_code ec;
        s->shutdown(tcp::socket::shutdown_both, ec);
        s->close(ec);
    });
}

} // namespace opel::http
