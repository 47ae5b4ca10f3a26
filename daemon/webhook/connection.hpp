#pragma once
// A subscriber's kept connection: one TCP (or TLS over TCP) stream to its
// endpoint that carries one POST after another while the peer keeps it open,
// and is closed after it has been idle for a bound. Beast, on the io_context
// it is given; callbacks in the do_x / on_x style.

#include "webhook/endpoint.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace opel::webhook {

/// The message for a failed `step` ("connect: Connection refused", or "...: no
/// progress within N s" when `deadline` ran out).
std::string describe(const char* step, const boost::system::error_code& ec,
                     std::chrono::seconds deadline);

/// One kept connection to a subscriber's endpoint; keep the shared_ptr.
class connection : public std::enable_shared_from_this<connection> {
public:
    /// Reports the end of a step: an empty string when it succeeded, else why not.
    using opened = std::function<void(std::string)>;
    /// Reports the end of a write or a read.
    using step_done = std::function<void(const boost::system::error_code&)>;
    using request = boost::beast::http::request<boost::beast::http::string_body>;
    using response_parser = boost::beast::http::response_parser<boost::beast::http::string_body>;

    /// Deadline for resolve and connect.
    static constexpr std::chrono::seconds connect_deadline{5};
    /// Deadline for the TLS handshake, sending the request and reading the
    /// whole answer.
    static constexpr std::chrono::seconds response_deadline{10};
    /// How long a connection may stay idle between two POSTs before it is closed.
    static constexpr std::chrono::seconds idle_limit{30};

    /// A connection, not yet open, to `to`; `tls` is required when `to.tls`
    /// (from tls_context()). It is closed after `idle` without a POST.
    connection(boost::asio::any_io_executor ex, endpoint to,
               std::shared_ptr<boost::asio::ssl::context> tls,
               std::chrono::milliseconds idle = idle_limit);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Where it goes.
    const endpoint& to() const { return to_; }
    /// Whether it is open, not closed by the peer as far as can be seen
    /// without blocking, and holds no unasked-for bytes: fit for the next POST.
    bool reusable();
    /// Resolves, connects (connect_deadline) and, for https, shakes hands with
    /// the peer's certificate and host name checked; the response deadline
    /// starts once connected. Closes what was open first.
    void open(opened done);
    /// Starts the response deadline for a POST on a connection already open.
    void expect_answer();
    /// Writes `req`.
    void write(request& req, step_done done);
    /// Reads an answer into `parser`.
    void read(response_parser& parser, step_done done);
    /// Whether bytes beyond the last answer were read (the peer sent more
    /// than it was asked for: the connection is not reused).
    bool has_leftover() const { return buffer_.size() > 0; }
    /// Keeps it for the next POST: it is closed after the idle limit.
    void rest();
    /// Closes it; the next POST opens it again.
    void close();
    /// Ends the step under way early; it reports operation_aborted.
    void cancel();

private:
    void on_resolve(const boost::system::error_code& ec,
                    const boost::asio::ip::tcp::resolver::results_type& results);
    void on_connect(const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void report(std::string error);
    boost::beast::tcp_stream& tcp();

    boost::asio::any_io_executor ex_;
    endpoint to_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_; ///< outlives tls_
    std::chrono::milliseconds idle_;
    boost::asio::ip::tcp::resolver resolver_;
    std::optional<boost::beast::tcp_stream> plain_;                         ///< http://
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_; ///< https://
    boost::beast::flat_buffer buffer_;
    boost::asio::steady_timer idle_timer_;
    std::uint64_t resting_ = 0; ///< bumped at each rest() and close(): stale idle timers see it
    bool open_ = false;
    opened on_open_;
};

} // namespace opel::webhook
