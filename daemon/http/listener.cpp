// Binding, the accept loop and its backoff.
#include "http/listener.hpp"

#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace opel::http {

namespace asio = boost::asio;
using asio::ip::tcp;

listener::listener(asio::io_context& ioc, const config::address& at,
                   std::atomic<std::uint64_t>& failures)
    : acceptor_(ioc), retry_(ioc), failures_(failures) {
    const tcp::endpoint ep(asio::ip::make_address(at.host), at.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    port_ = acceptor_.local_endpoint().port();
}

void listener::start(on_accept accepted) {
    accepted_ = std::move(accepted);
    do_accept();
}

void listener::stop() {
    stopped_ = true;
    retry_.cancel();
    boost::system::error_code ec;
    acceptor_.close(ec);
}

void listener::do_accept() {
    acceptor_.async_accept([this](boost::system::error_code ec, tcp::socket socket) {
        if (ec == asio::error::operation_aborted || stopped_)
            return;
        if (ec)
            return on_failure(ec);
        if (backoff_.count() != 0) {
            log::of<"http">()->warn("accepting connections again");
            backoff_ = {};
        }
        socket.set_option(tcp::no_delay(true), ec);
        accepted_(std::move(socket));
        do_accept();
    });
}

void listener::on_failure(const boost::system::error_code& ec) {
    ++failures_;
    if (backoff_.count() == 0) {
        // Once per episode: a log line per retry would flood the journal.
        log::of<"http">()->error("accept failed ({}); retrying with a growing pause of up to {} ms "
                                 "until it succeeds (raise LimitNOFILE, or lower http.max_connections)",
                                 ec.message(), max_backoff.count());
        backoff_ = first_backoff;
    } else {
        backoff_ = std::min(backoff_ * 2, max_backoff);
    }
    log::of<"http">()->debug("no connection taken ({}); next try in {} ms", ec.message(),
                             backoff_.count());
    retry_.expires_after(backoff_);
    retry_.async_wait([this](const boost::system::error_code& e) {
        if (!e && !stopped_)
            do_accept();
    });
}

} // namespace opel::http
