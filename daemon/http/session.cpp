// A connection's read-answer-write cycle, after Beast's async server: every
// read has a deadline and every body a limit; a malformed request gets a 4xx
// and the connection closes; nothing a client sends escapes as an exception.
#include "http/session.hpp"

#include "http/server.hpp"
#include "http/response.hpp"

#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/json.hpp>
#include <spdlog/spdlog.h>

namespace opel::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

any_stream make_stream(boost::asio::ip::tcp::socket&& socket, server& srv) {
    if (auto ctx = srv.tls_context())
        return any_stream(std::move(socket), std::move(ctx));
    return any_stream(std::move(socket));
}

/// A limit as people write it: "8 KiB", "1 MiB", else in bytes.
std::string describe_size(std::size_t bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0)
        return std::to_string(bytes / (1024 * 1024)) + " MiB";
    if (bytes >= 1024 && bytes % 1024 == 0)
        return std::to_string(bytes / 1024) + " KiB";
    return std::to_string(bytes) + " bytes";
}

/// True when a request's Transfer-Encoding is one the daemon accepts: none,
/// or exactly `chunked` once on HTTP/1.1 (RFC 9112 6.1 and 6.3: anything
/// else cannot be framed safely, and a proxy before us may read it otherwise).
bool acceptable_transfer_encoding(const request& h) {
    const auto n = h.count(bhttp::field::transfer_encoding);
    if (n == 0)
        return true;
    if (n > 1 || h.version() < 11)
        return false;
    return beast::iequals(h[bhttp::field::transfer_encoding], "chunked");
}

} // namespace

session::session(boost::asio::ip::tcp::socket&& socket, server& srv, connection_slot slot,
                 std::string peer)
    : stream_(make_stream(std::move(socket), srv)), server_(srv), slot_(std::move(slot)),
      peer_(std::move(peer)) {
    ++server_.counters().open_connections;
}

session::~session() { --server_.counters().open_connections; }

void session::start() {
    slot_.bind(weak_from_this());
    if (!stream_.is_tls())
        return do_read();
    // The handshake is bounded like the first request.
    busy_ = true;
    stream_.expires_after(server_.limits().read_timeout);
    stream_.tls().async_handshake(
        boost::asio::ssl::stream_base::server,
        beast::bind_front_handler(&session::on_handshake, shared_from_this()));
}

void session::on_handshake(beast::error_code ec) {
    busy_ = false;
    if (ec || stopping_) {
        beast::error_code ignored;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
        stream_.close();
        return;
    }
    do_read();
}

void session::stop() {
    stopping_ = true;
    if (!busy_) {
        // Waiting for a request that will now never be read: close politely.
        beast::error_code ec;
        stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        stream_.cancel();
    }
}

void session::do_read() {
    const auto& lim = server_.limits();
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(lim.header_limit));
    // The largest body any route takes, so that Beast does not refuse a
    // Content-Length before the route is known; on_header applies the route's.
    parser_->body_limit(server_.largest_body_limit());
    body_limit_ = lim.body_limit;
    if (requests_ == 0 || buffer_.size() > 0) {
        // A first request, or one already begun (pipelined): the whole head
        // must arrive within the read deadline.
        stream_.expires_after(lim.read_timeout);
        return read_header();
    }
    // Between requests the connection may idle; once the next request has
    // begun, its head is held to the read deadline like the first.
    stream_.expires_after(lim.idle_timeout);
    stream_.async_read_some(
        buffer_.prepare(4096), [self = shared_from_this()](beast::error_code ec, std::size_t n) {
            self->buffer_.commit(n);
            if (ec)
                return self->on_read(ec, n);
            self->stream_.expires_after(self->server_.limits().read_timeout);
            self->read_header();
        });
}

void session::read_header() {
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&session::on_header, shared_from_this()));
}

void session::on_header(beast::error_code ec, std::size_t bytes) {
    if (ec)
        return on_read(ec, bytes);
    const auto& h = parser_->get();
    if (!acceptable_transfer_encoding(h))
        return send_error(400, "malformed_request",
                          "Transfer-Encoding must be exactly \"chunked\", and only on HTTP/1.1.");
    // A route may allow a larger body (history imports); it says so itself.
    route_ = server_.routes().options(h);
    body_limit_ = route_.body_limit.value_or(server_.limits().body_limit);
    parser_->body_limit(body_limit_);
    if (const auto length = parser_->content_length(); length && *length > body_limit_)
        return on_read(bhttp::error::body_limit, bytes);
    stream_.expires_after(server_.limits().read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&session::on_read, shared_from_this()));
}

void session::on_read(beast::error_code ec, std::size_t) {
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == boost::asio::error::operation_aborted || stopping_)
        return do_close();
    if (ec == bhttp::error::body_limit)
        return send_error(413, "body_too_large",
                          "The body is over the " + describe_size(body_limit_) +
                              " limit of this call.");
    if (ec == bhttp::error::header_limit)
        return send_error(431, "headers_too_large",
                          "The request headers are over the " + describe_size(server_.limits().header_limit) +
                              " limit.");
    if (ec) {
        if (buffer_.size() == 0 && !parser_->got_some())
            return do_close();
        return send_error(400, "malformed_request", "The request is not valid HTTP/1.1.");
    }
    ++server_.counters().http_requests;
    busy_ = true;
    auto& req = parser_->get();
    version_ = req.version();
    keep_alive_ = req.keep_alive();
    head_ = req.method() == bhttp::verb::head;
    // Every request counts against its address, before any other work, so a
    // flood without a token is refused as cheaply as one with.
    if (auto refused = server_.limit_address(peer_))
        return on_reply(std::move(*refused));
    if (route_.streaming && req.method() == bhttp::verb::get) {
        // The stream takes the connection over, and its place in the count
        // with it (a stream is an open connection); this session ends here.
        server_.routes().open_stream(req, peer_, std::move(stream_), std::move(slot_));
        return;
    }
    server_.routes().handle(req, peer_, [self = shared_from_this()](service::reply r) {
        self->on_reply(std::move(r));
    });
}

void session::on_reply(service::reply r) {
    // send_error() clears keep_alive_ for requests that could not be framed;
    // an application-level refusal keeps the connection.
    const bool keep = keep_alive_ && !stopping_ && !server_.stopping();
    auto res = make_response(std::move(r), version_, keep);
    if (head_)
        res->body().clear();
    stream_.expires_after(server_.limits().read_timeout);
    bhttp::async_write(stream_, *res,
                       [self = shared_from_this(), res, keep](beast::error_code ec, std::size_t n) {
                           self->on_write(keep, ec, n);
                       });
}

void session::on_write(bool keep_alive, beast::error_code ec, std::size_t) {
    busy_ = false;
    ++requests_;
    if (ec || !keep_alive || stopping_)
        return do_close();
    do_read();
}

void session::send_error(int status, std::string code, std::string message) {
    busy_ = true;
    keep_alive_ = false;
    head_ = false;
    on_reply(service::error_reply(status, std::move(code), std::move(message)));
}

void session::do_close() {
    if (stream_.is_tls() && stream_.socket().is_open()) {
        // close_notify, so the client can tell an end from a truncation; the
        // peer's answer is awaited no longer than a read.
        stream_.expires_after(server_.limits().read_timeout);
        stream_.tls().async_shutdown([self = shared_from_this()](beast::error_code) {
            self->stream_.close();
        });
        return;
    }
    beast::error_code ec;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_send, ec);
    stream_.close();
}

} // namespace opel::http
