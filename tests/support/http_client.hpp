#pragma once
// A small synchronous HTTP client for the tests (Beast), one connection per
// client object so keep-alive can be exercised too.

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>

#include <map>
#include <string>

namespace opel::test {

/// An answer as the tests look at it.
struct http_answer {
    int status = 0;
    std::map<std::string, std::string> headers;
    std::string body;

    /// The body parsed as JSON.
    boost::json::value json() const { return boost::json::parse(body); }
    /// A header's value, or empty.
    std::string header(const std::string& name) const {
        const auto it = headers.find(name);
        return it == headers.end() ? std::string() : it->second;
    }
};

/// A keep-alive connection to 127.0.0.1:port.
class http_client {
public:
    explicit http_client(std::uint16_t port) : stream_(ioc_) {
        stream_.connect(boost::asio::ip::tcp::endpoint(
            boost::asio::ip::make_address("127.0.0.1"), port));
    }
    /// A connection from a chosen loopback source address (127.0.0.2, ...), so a
    /// test can be several clients.
    http_client(std::uint16_t port, const std::string& source) : stream_(ioc_) {
        auto& s = stream_.socket();
        s.open(boost::asio::ip::tcp::v4());
        s.bind(boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address(source), 0));
        s.connect(boost::asio::ip::tcp::endpoint(
            boost::asio::ip::make_address("127.0.0.1"), port));
    }

    /// Sends one request and reads its answer.
    http_answer call(boost::beast::http::verb method, const std::string& target,
                     const std::string& body = {}, const std::string& token = {},
                     const std::map<std::string, std::string>& headers = {}) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "127.0.0.1");
        if (!token.empty())
            req.set(http::field::authorization, "Bearer " + token);
        if (!body.empty())
            req.set(http::field::content_type, "application/json");
        for (const auto& [k, v] : headers)
            req.set(k, v);
        req.body() = body;
        req.prepare_payload();
        http::write(stream_, req);
        boost::beast::flat_buffer buffer;
        http::response<http::string_body> res;
        http::read(stream_, buffer, res);
        http_answer a;
        a.status = static_cast<int>(res.result_int());
        for (const auto& f : res)
            a.headers[std::string(f.name_string())] = std::string(f.value());
        a.body = res.body();
        return a;
    }

    /// GET with a token.
    http_answer get(const std::string& target, const std::string& token = {}) {
        return call(boost::beast::http::verb::get, target, {}, token);
    }
    /// POST JSON with a token.
    http_answer post(const std::string& target, const std::string& body,
                     const std::string& token = {},
                     const std::map<std::string, std::string>& headers = {}) {
        return call(boost::beast::http::verb::post, target, body, token, headers);
    }

    /// Writes raw bytes and reads whatever comes back until the server closes.
    std::string raw(const std::string& bytes) {
        boost::asio::write(stream_.socket(), boost::asio::buffer(bytes));
        std::string out;
        boost::beast::error_code ec;
        char buf[4096];
        for (;;) {
            const auto n = stream_.socket().read_some(boost::asio::buffer(buf), ec);
            if (ec)
                break;
            out.append(buf, n);
        }
        return out;
    }

private:
    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
};

} // namespace opel::test
