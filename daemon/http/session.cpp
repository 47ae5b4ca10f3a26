// A connection's read-answer-write cycle, after Beast's async server: every
// read has a deadline and every body a limit; a malformed request gets a 4xx
// and the connection closes; nothing a client sends escapes as an exception.
#include "http/session.hpp"

#include "http/server.hpp"
#include "http/sse_stream.hpp"

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

} // namespace

session::session(boost::asio::ip::tcp::socket&& socket, server& srv, std::uint64_t id)
    : stream_(make_stream(std::move(socket), srv)), server_(srv), id_(id) {
    beast::error_code ec;
    const auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) {
        // On a dual-stack listener ([::]) an IPv4 client arrives as
        // ::ffff:a.b.c.d; it is named by its IPv4 address, so that limits,
        // exemptions and logs treat it the same on either kind of listener.
        auto a = ep.address();
        if (a.is_v6() && a.to_v6().is_v4_mapped())
            a = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6());
        peer_ = a.to_string();
    }
    ++server_.counters().open_connections;
}

session::~session() {
    --server_.counters().open_connections;
    server_.detach(id_);
}

void session::start() {
    server_.attach(id_, weak_from_this());
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
    parser_->body_limit(lim.body_limit);
    body_limit_ = lim.body_limit;
    stream_.expires_after(requests_ == 0 ? lim.read_timeout : lim.idle_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             beast::bind_front_handler(&session::on_header, shared_from_this()));
}

void session::on_header(beast::error_code ec, std::size_t bytes) {
    if (ec)
        return on_read(ec, bytes);
    // History imports are the one call allowed a larger body; it is still
    // bounded, since the whole request is parsed and stored in one go.
    const auto& h = parser_->get();
    if (h.method() == bhttp::verb::post && h.target().substr(0, 10) == "/v1/import") {
        body_limit_ = server_.limits().import_body_limit;
        parser_->body_limit(body_limit_);
    }
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
    if (req.method() == bhttp::verb::get && req.target().substr(0, 10) == "/v1/stream" &&
        (req.target().size() == 10 || req.target()[10] == '?')) {
        // The stream takes the connection over; this session ends here.
        sse_limits limits;
        limits.max_queued_bytes = server_.limits().sse_queue_limit;
        auto stream = std::make_shared<sse_stream>(std::move(stream_), server_.routes(),
                                                   server_.hub(), limits);
        stream->start(req, peer_);
        return;
    }
    server_.routes().handle(req, peer_, [self = shared_from_this()](service::reply r) {
        self->on_reply(std::move(r));
    });
}

void session::on_reply(service::reply r) {
    auto res = std::make_shared<bhttp::response<bhttp::string_body>>(
        static_cast<bhttp::status>(r.status), version_);
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : r.headers)
        res->set(name, value);
    // send_error() clears keep_alive_ for requests that could not be framed;
    // an application-level refusal keeps the connection.
    const bool keep = keep_alive_ && !stopping_ && !server_.stopping();
    res->keep_alive(keep);
    res->body() = std::move(r.body);
    res->prepare_payload();
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
