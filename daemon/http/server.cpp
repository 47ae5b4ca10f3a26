// The listener and the connection cap. Past the cap a connection is answered
// 503 at once and closed, so an overloaded daemon says so instead of hanging.
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

std::shared_ptr<spdlog::logger> log() {
    static const auto logger = opel::log::get("http");
    return logger;
}

} // namespace

server::server(asio::io_context& ioc, const config::http_config& cfg, router& r,
               service::metrics& m)
    : ioc_(ioc), acceptor_(ioc), router_(r), metrics_(m),
      limits_{.header_limit = cfg.header_limit,
              .body_limit = cfg.body_limit,
              .read_timeout = cfg.read_timeout,
              .idle_timeout = cfg.idle_timeout},
      max_connections_(cfg.max_connections) {
    if (cfg.tls_cert && cfg.tls_key) {
        auto made = make_tls_context(*cfg.tls_cert, *cfg.tls_key);
        if (auto* why = std::get_if<std::string>(&made))
            throw std::runtime_error("TLS: " + *why);
        tls_ = std::get<std::shared_ptr<asio::ssl::context>>(made);
    }
    const tcp::endpoint ep(asio::ip::make_address(cfg.listen.host), cfg.listen.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

bool server::reload_tls(const config::http_config& cfg) {
    const bool wanted = cfg.tls_cert && cfg.tls_key;
    if (wanted != tls()) {
        log()->warn("TLS was turned {} in the config: that takes a restart; the listener "
                    "stays as it is",
                    wanted ? "on" : "off");
        return false;
    }
    if (!wanted)
        return true;
    auto made = make_tls_context(*cfg.tls_cert, *cfg.tls_key);
    if (auto* why = std::get_if<std::string>(&made)) {
        log()->error("TLS reload refused, the certificate in force stays: {}", *why);
        return false;
    }
    tls_ = std::get<std::shared_ptr<asio::ssl::context>>(made);
    log()->info("TLS certificate reloaded from {}", cfg.tls_cert->string());
    return true;
}

void server::set_address_limits(const config::address_limits_config& l) {
    address_limiter_.reconfigure(l.rate, l.burst);
    exempt_ = {l.exempt.begin(), l.exempt.end()};
}

std::optional<service::reply> server::limit_address(const std::string& peer) {
    if (exempt_.contains(peer))
        return std::nullopt;
    const auto now = router_.services().clock.now();
    // Idle addresses are forgotten once a minute, so a flood from many
    // addresses costs memory only while it lasts.
    if (now - last_expiry_ >= std::chrono::minutes(1) || now < last_expiry_) {
        address_limiter_.expire(now);
        last_expiry_ = now;
    }
    const auto wait = address_limiter_.take(peer, now);
    if (!wait)
        return std::nullopt;
    ++metrics_.address_limited;
    const auto seconds =
        std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(*wait).count());
    auto r = service::error_reply(429, "rate_limited",
                                  "Too many requests from this address; retry after " +
                                      std::to_string(seconds) + " s.");
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
}

void server::start() { do_accept(); }

void server::stop() {
    stopping_ = true;
    boost::system::error_code ec;
    acceptor_.close(ec);
    // Copy first: a session may detach itself while being stopped.
    std::vector<std::shared_ptr<session>> live;
    for (auto& [id, weak] : sessions_)
        if (auto s = weak.lock())
            live.push_back(std::move(s));
    for (auto& s : live)
        s->stop();
    hub_.shutdown();
}

void server::do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec,
                                                           tcp::socket socket) {
        if (ec == asio::error::operation_aborted || stopping_)
            return;
        if (!ec) {
            socket.set_option(tcp::no_delay(true), ec);
            if (sessions_.size() >= max_connections_)
                refuse(std::move(socket));
            else
                std::make_shared<session>(std::move(socket), *this, next_id_++)->start();
        }
        do_accept();
    });
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
