#pragma once
// A small synchronous HTTP client for opelctl over Boost.Beast: one request
// per connection, a deadline on connecting and on every answer, and a
// streaming GET for Server-Sent Events.

#include "client_config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/verb.hpp>
#include <boost/json/value.hpp>

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace opel::ctl {

/// Extra request headers, in order.
using header_list = std::vector<std::pair<std::string, std::string>>;

/// An answer as opelctl needs it.
struct http_answer {
    int status = 0;
    std::string content_type;
    std::string body;
};

/// The parts of the server URL requests are made against.
struct base_url {
    std::string host;
    std::string port;
    std::string path; ///< a prefix before /v1/..., without the trailing '/'
};

/// Parses an http:// URL; throws usage_error for anything else.
base_url parse_base_url(const std::string& url);

/// `path` with `query` appended, each key and value percent-encoded.
std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query);

/// `segment` percent-encoded for use as one path segment.
std::string path_segment(std::string_view segment);

/// The body as JSON when the status is 2xx; otherwise throws refused_error
/// carrying the server's own message.
boost::json::value json_or_throw(const http_answer& a);

/// "403 forbidden: message (field: practice)" from an error answer.
std::string describe_error(const http_answer& a);

/// Makes requests against one server; not thread-safe.
class http_call {
public:
    /// Throws usage_error when `c.url` is not a usable http:// URL.
    explicit http_call(connection c);

    /// One request; throws connect_error when the server cannot be reached
    /// or does not answer within the timeout.
    http_answer request(boost::beast::http::verb method, const std::string& target,
                        const std::string& body = {}, const std::string& content_type = {},
                        const header_list& headers = {});
    /// GET `target`.
    http_answer get(const std::string& target) {
        return request(boost::beast::http::verb::get, target);
    }
    /// POST a JSON body to `target`.
    http_answer post_json(const std::string& target, const boost::json::value& body,
                          const header_list& headers = {});

    /// A streaming GET: on_data gets each piece of the body as it arrives,
    /// until the server ends the body or the connection drops (both return
    /// normally). Throws connect_error if it cannot connect or the headers do
    /// not arrive in time, refused_error on a non-2xx answer.
    void stream(const std::string& target, const header_list& headers,
                const std::function<void(std::string_view)>& on_data);

    /// The connection settings in use.
    const connection& settings() const { return conn_; }

private:
    void open();
    void send(boost::beast::http::verb method, const std::string& target, const std::string& body,
              const std::string& content_type, const header_list& headers);
    void close();

    connection conn_;
    base_url base_;
    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
};

} // namespace opel::ctl
