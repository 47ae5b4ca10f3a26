// The HTTP client side of webhooks. Every step has a deadline and the answer
// a size limit, so a subscriber that accepts and then stalls, or streams an
// endless body, costs one connection for at most 15 seconds. The outcome is
// reported exactly once whatever happens; nothing escapes a handler.
#include "webhook/exchange.hpp"

#include <boost/asio/connect.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>

#include <utility>

namespace opel::webhook {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t answer_limit = 64 * 1024; // a subscriber's answer body is ignored

std::string describe(const char* step, const boost::system::error_code& ec,
                     std::chrono::seconds deadline) {
    if (ec == boost::beast::error::timeout)
        return std::string(step) + ": no progress within " + std::to_string(deadline.count()) +
               " s";
    return std::string(step) + ": " + ec.message();
}

} // namespace

std::variant<endpoint, std::string> parse_endpoint(const std::string& url) {
    const auto u = boost::urls::parse_uri(url);
    if (!u)
        return "'" + url + "' is not a URL";
    if (u->scheme() != "http")
        return "only http:// subscribers are supported by this build ('" + url + "')";
    endpoint e;
    e.host = u->host_address();
    e.port = u->has_port() ? std::string(u->port()) : "80";
    e.target = u->encoded_target();
    if (e.target.empty())
        e.target = "/";
    if (e.host.empty())
        return "'" + url + "' names no host";
    return e;
}

exchange::exchange(boost::asio::any_io_executor ex, const endpoint& to, std::string body,
                   const std::map<std::string, std::string>& headers, report done)
    : resolver_(ex), stream_(ex), to_(to), done_(std::move(done)) {
    req_.method(bhttp::verb::post);
    req_.target(to_.target);
    req_.version(11);
    req_.set(bhttp::field::host, to_.port == "80" ? to_.host : to_.host + ":" + to_.port);
    req_.set(bhttp::field::user_agent, "opeld");
    req_.set(bhttp::field::content_type, "application/json");
    req_.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : headers)
        req_.set(name, value);
    req_.body() = std::move(body);
    req_.prepare_payload();
    parser_.body_limit(answer_limit);
}

void exchange::start() {
    // The resolver has no deadline of its own; the connect deadline starts
    // here so a slow lookup is bounded by it once connecting begins.
    resolver_.async_resolve(to_.host, to_.port,
                            [self = shared_from_this()](const auto& ec, const auto& results) {
                                self->on_resolve(ec, results);
                            });
}

void exchange::cancel() {
    resolver_.cancel();
    stream_.cancel();
}

void exchange::on_resolve(const boost::system::error_code& ec,
                          const boost::asio::ip::tcp::resolver::results_type& results) {
    if (ec)
        return finish({false, describe("resolve", ec, connect_deadline)});
    stream_.expires_after(connect_deadline);
    stream_.async_connect(results, [self = shared_from_this()](const auto& e, const auto&) {
        self->on_connect(e);
    });
}

void exchange::on_connect(const boost::system::error_code& ec) {
    if (ec)
        return finish({false, describe("connect", ec, connect_deadline)});
    stream_.expires_after(response_deadline);
    bhttp::async_write(stream_, req_, [self = shared_from_this()](const auto& e, std::size_t) {
        self->on_write(e);
    });
}

void exchange::on_write(const boost::system::error_code& ec) {
    if (ec)
        return finish({false, describe("send", ec, response_deadline)});
    bhttp::async_read(stream_, buffer_, parser_,
                      [self = shared_from_this()](const auto& e, std::size_t) { self->on_read(e); });
}

void exchange::on_read(const boost::system::error_code& ec) {
    if (ec)
        return finish({false, describe("answer", ec, response_deadline)});
    const auto status = parser_.get().result_int();
    if (status >= 200 && status < 300)
        return finish({true, {}});
    finish({false, "HTTP " + std::to_string(status)});
}

void exchange::finish(outcome o) {
    boost::system::error_code ignored;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    if (auto done = std::exchange(done_, nullptr))
        done(std::move(o));
}

} // namespace opel::webhook
