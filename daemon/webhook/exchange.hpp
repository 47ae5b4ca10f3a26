#pragma once
// One webhook POST over HTTP or HTTPS: resolve, connect (5 s deadline), TLS
// handshake with the peer's certificate and host name checked, write and
// read the answer (10 s deadline), then report once. Beast, on the
// io_context it is given; callbacks in the do_x / on_x style.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include <chrono>
#include <functional>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace opel::webhook {

/// How one POST ended: `ok` for a 2xx answer, else why not.
struct outcome {
    bool ok = false;
    std::string error; ///< "HTTP 503", "connect: Connection refused", ...
};

/// Where a POST goes, taken apart from an http:// or https:// URL.
struct endpoint {
    std::string host;
    std::string port;
    std::string target; ///< path and query, "/" at least
    bool tls = false;   ///< https://
};

/// The endpoint of `url`, or an error message when it is not a usable
/// http:// or https:// URL.
std::variant<endpoint, std::string> parse_endpoint(const std::string& url);

/// The TLS client context for https:// subscribers: peer verification on,
/// trusting the system's CAs, or only those in `ca_file` when given. An
/// error message when `ca_file` cannot be loaded.
std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string>
tls_context(const std::optional<std::filesystem::path>& ca_file);

/// One POST in flight; keep the shared_ptr to cancel it.
class exchange : public std::enable_shared_from_this<exchange> {
public:
    /// Reports the outcome of the POST, exactly once, on the executor.
    using report = std::function<void(outcome)>;
    /// Deadline for resolve and connect.
    static constexpr std::chrono::seconds connect_deadline{5};
    /// Deadline for sending the request and reading the whole answer.
    static constexpr std::chrono::seconds response_deadline{10};

    /// A POST of `body` to `to` with the extra `headers`; `tls` is required
    /// when `to.tls` (from tls_context()).
    exchange(boost::asio::any_io_executor ex, const endpoint& to, std::string body,
             const std::map<std::string, std::string>& headers, report done,
             std::shared_ptr<boost::asio::ssl::context> tls = {});
    /// Starts it.
    void start();
    /// Ends it early; it reports an aborted outcome.
    void cancel();

private:
    void on_resolve(const boost::system::error_code& ec,
                    const boost::asio::ip::tcp::resolver::results_type& results);
    void on_connect(const boost::system::error_code& ec);
    void on_handshake(const boost::system::error_code& ec);
    void write_request();
    boost::beast::tcp_stream& tcp();
    void on_write(const boost::system::error_code& ec);
    void on_read(const boost::system::error_code& ec);
    void finish(outcome o);

    boost::asio::ip::tcp::resolver resolver_;
    std::shared_ptr<boost::asio::ssl::context> tls_context_; ///< outlives tls_
    std::optional<boost::beast::tcp_stream> plain_;                 ///< http://
    std::optional<boost::beast::ssl_stream<boost::beast::tcp_stream>> tls_; ///< https://
    endpoint to_;
    boost::beast::http::request<boost::beast::http::string_body> req_;
    boost::beast::flat_buffer buffer_;
    boost::beast::http::response_parser<boost::beast::http::string_body> parser_;
    report done_;
};

} // namespace opel::webhook
