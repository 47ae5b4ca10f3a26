#pragma once
// A connection's byte stream: plain TCP, or TLS over TCP when `http.tls_cert`
// and `http.tls_key` are set. Sessions and SSE streams are written once
// against this; the deadline (expires_after) is always the TCP layer's, which
// also bounds the TLS handshake and every TLS read and write.

#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <memory>
#include <utility>

namespace opel::http {

class any_stream {
public:
    using tls_stream = boost::beast::ssl_stream<boost::beast::tcp_stream>;
    using executor_type = boost::beast::tcp_stream::executor_type;

    /// Plain TCP.
    explicit any_stream(boost::asio::ip::tcp::socket&& socket)
        : tcp_(std::make_unique<boost::beast::tcp_stream>(std::move(socket))) {}
    /// TLS with `ctx` (kept alive for as long as the connection).
    any_stream(boost::asio::ip::tcp::socket&& socket,
               std::shared_ptr<boost::asio::ssl::context> ctx)
        : ctx_(std::move(ctx)), tls_(std::make_unique<tls_stream>(std::move(socket), *ctx_)) {}

    bool is_tls() const { return tls_ != nullptr; }
    tls_stream& tls() { return *tls_; }

    /// The TCP layer: deadlines, the socket.
    boost::beast::tcp_stream& tcp() { return tls_ ? boost::beast::get_lowest_layer(*tls_) : *tcp_; }
    boost::asio::ip::tcp::socket& socket() { return tcp().socket(); }
    void expires_after(std::chrono::steady_clock::duration d) { tcp().expires_after(d); }
    void expires_never() { tcp().expires_never(); }
    void cancel() { tcp().cancel(); }
    void close() { tcp().close(); }

    executor_type get_executor() { return tcp().get_executor(); }

    template <class Buffers, class Handler>
    void async_read_some(const Buffers& b, Handler&& h) {
        if (tls_)
            tls_->async_read_some(b, std::forward<Handler>(h));
        else
            tcp_->async_read_some(b, std::forward<Handler>(h));
    }
    template <class Buffers, class Handler>
    void async_write_some(const Buffers& b, Handler&& h) {
        if (tls_)
            tls_->async_write_some(b, std::forward<Handler>(h));
        else
            tcp_->async_write_some(b, std::forward<Handler>(h));
    }

private:
    std::shared_ptr<boost::asio::ssl::context> ctx_;
    std::unique_ptr<boost::beast::tcp_stream> tcp_;
    std::unique_ptr<tls_stream> tls_;
};

} // namespace opel::http
