// A subscriber's kept connection. Opening it is the slow part of a POST
// (a TCP handshake, and for https a TLS one), so it is kept for the next
// POST while the peer keeps it open (HTTP/1.1 keep-alive), and closed after
// `idle_limit` without one, so an idle subscriber costs no socket for long.
// Before reuse a non-blocking peek tells whether the peer has closed it
// meanwhile; the exchange retries once on a fresh connection for the race
// that remains. Every step keeps its deadline. An https:// peer must present
// a certificate that chains to a trusted CA and names the URL's host (DNS
// name or IP address). Closing skips the TLS close_notify exchange: it would
// only add a round trip (and a peer that never answers it) for nothing a
// delivery depends on.
#include "webhook/connection.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <sys/socket.h>

#include <cerrno>
#include <utility>

namespace opel::webhook {

namespace bhttp = boost::beast::http;

std::string describe(const char* step, const boost::system::error_code& ec,
                     std::chrono::seconds deadline) {
    if (ec == boost::beast::error::timeout)
        return std::string(step) + ": no progress within " + std::to_string(deadline.count()) +
               " s";
    return std::string(step) + ": " + ec.message();
}

connection::connection(boost::asio::any_io_executor ex, endpoint to,
                       std::shared_ptr<boost::asio::ssl::context> tls,
                       std::chrono::milliseconds idle)
    : ex_(ex), to_(std::move(to)), tls_context_(std::move(tls)), idle_(idle), resolver_(ex),
      idle_timer_(ex) {}

boost::beast::tcp_stream& connection::tcp() {
    return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
}

bool connection::reusable() {
    if (!open_ || buffer_.size() > 0)
        return false;
    // Nothing is due from the peer between two POSTs: a readable socket means
    // it closed (FIN, or a TLS close_notify) or sent something unasked.
    char byte = 0;
    const auto n = ::recv(tcp().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void connection::open(opened done) {
    close();
    on_open_ = std::move(done);
    buffer_.clear();
    if (to_.tls && !tls_context_) {
        // Reported after open() returns, as every other outcome is.
        boost::asio::post(ex_, [self = shared_from_this()] {
            self->report("https:// needs a TLS context");
        });
        return;
    }
    // A new TLS session needs a new stream: one that was shut down cannot be reused.
    plain_.reset();
    tls_.reset();
    if (to_.tls)
        tls_.emplace(ex_, *tls_context_);
    else
        plain_.emplace(ex_);
    // An IP literal needs no lookup: a numeric resolve neither blocks nor
    // hops to the resolver's thread.
    boost::system::error_code literal;
    boost::asio::ip::make_address(to_.host, literal);
    if (!literal) {
        using resolver = boost::asio::ip::tcp::resolver;
        boost::system::error_code ec;
        auto results = resolver_.resolve(to_.host, to_.port,
                                         resolver::numeric_host | resolver::numeric_service, ec);
        boost::asio::post(ex_, [self = shared_from_this(), ec, results = std::move(results)] {
            self->on_resolve(ec, results);
        });
        return;
    }
    // The resolver has no deadline of its own; the connect deadline starts
    // once it answers.
    resolver_.async_resolve(to_.host, to_.port,
                            [self = shared_from_this()](const auto& ec, const auto& results) {
                                self->on_resolve(ec, results);
                            });
}

void connection::on_resolve(const boost::system::error_code& ec,
                            const boost::asio::ip::tcp::resolver::results_type& results) {
    if (ec)
        return report(describe("resolve", ec, connect_deadline));
    tcp().expires_after(connect_deadline);
    tcp().async_connect(results, [self = shared_from_this()](const auto& e, const auto&) {
        self->on_connect(e);
    });
}

void connection::on_connect(const boost::system::error_code& ec) {
    if (ec)
        return report(describe("connect", ec, connect_deadline));
    tcp().expires_after(response_deadline);
    if (!tls_)
        return report({});
    // The host name goes out as SNI and is what the certificate must name:
    // an IP address is matched against the certificate's IP entries.
    SSL* ssl = tls_->native_handle();
    boost::system::error_code ip_ec;
    boost::asio::ip::make_address(to_.host, ip_ec);
    const bool named = ip_ec.failed();
    if (named)
        SSL_set_tlsext_host_name(ssl, to_.host.c_str());
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int set = named ? X509_VERIFY_PARAM_set1_host(param, to_.host.c_str(), 0)
                          : X509_VERIFY_PARAM_set1_ip_asc(param, to_.host.c_str());
    if (set != 1)
        return report("TLS: cannot check the certificate against '" + to_.host + "'");
    tls_->async_handshake(boost::asio::ssl::stream_base::client,
                          [self = shared_from_this()](const auto& e) { self->on_handshake(e); });
}

void connection::on_handshake(const boost::system::error_code& ec) {
    if (ec) {
        // Name the certificate problem, not only "certificate verify failed".
        const long verify = SSL_get_verify_result(tls_->native_handle());
        std::string why = describe("TLS handshake", ec, response_deadline);
        if (verify != X509_V_OK)
            why += ": " + std::string(X509_verify_cert_error_string(verify));
        return report(why);
    }
    report({});
}

void connection::report(std::string error) {
    if (error.empty())
        open_ = true;
    else
        close();
    if (auto done = std::exchange(on_open_, nullptr))
        done(std::move(error));
}

void connection::expect_answer() {
    ++resting_;
    idle_timer_.cancel();
    tcp().expires_after(response_deadline);
}

void connection::write(request& req, step_done done) {
    auto on_write = [self = shared_from_this(), done = std::move(done)](const auto& ec,
                                                                         std::size_t) {
        done(ec);
    };
    if (tls_)
        bhttp::async_write(*tls_, req, std::move(on_write));
    else
        bhttp::async_write(*plain_, req, std::move(on_write));
}

void connection::read(response_parser& parser, step_done done) {
    auto on_read = [self = shared_from_this(), done = std::move(done)](const auto& ec,
                                                                       std::size_t) {
        done(ec);
    };
    if (tls_)
        bhttp::async_read(*tls_, buffer_, parser, std::move(on_read));
    else
        bhttp::async_read(*plain_, buffer_, parser, std::move(on_read));
}

void connection::rest() {
    if (!open_)
        return;
    tcp().expires_never();
    const auto turn = ++resting_;
    idle_timer_.expires_after(idle_);
    // A timer that expired just as the connection was taken up again still
    // runs its handler: the turn tells it apart.
    idle_timer_.async_wait([weak = weak_from_this(), turn](const boost::system::error_code& ec) {
        if (ec)
            return;
        if (const auto self = weak.lock(); self && self->resting_ == turn)
            self->close();
    });
}

void connection::close() {
    ++resting_;
    idle_timer_.cancel();
    open_ = false;
    if (!plain_ && !tls_)
        return;
    boost::system::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
}

void connection::cancel() {
    resolver_.cancel();
    if (plain_ || tls_)
        tcp().cancel();
}

} // namespace opel::webhook
