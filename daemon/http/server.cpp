// The listener and the connection cap. Past the cap a connection is answered
// 503 at once and closed, so an overloaded daemon says so instead of hanging.
#include "http/server.hpp"

#include "http/session.hpp"

#include <boost/asio/write.hpp>
#include <spdlog/spdlog.h>

namespace opel::http {

namespace asio = boost::asio;
using asio::ip::tcp;

server::server(asio::io_context& ioc, const config::http_config& cfg, router& r,
               service::metrics& m)
    : ioc_(ioc), acceptor_(ioc), router_(r), metrics_(m),
      limits_{.header_limit = cfg.header_limit,
              .body_limit = cfg.body_limit,
              .read_timeout = cfg.read_timeout,
              .idle_timeout = cfg.idle_timeout},
      max_connections_(cfg.max_connections) {
    const tcp::endpoint ep(asio::ip::make_address(cfg.listen.host), cfg.listen.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
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
