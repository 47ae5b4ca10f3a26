// The HTTP client side of webhooks. Every step has a deadline and the answer
// a size limit, so a subscriber that accepts and then stalls, or streams an
// endless body, costs one connection for at most 15 seconds. The outcome is
// reported exactly once whatever happens; nothing escapes a handler. An
// https:// peer must present a certificate that chains to a trusted CA and
// names the URL's host (DNS name or IP address); there is no switch to turn
// that off: a private CA is given as the subscriber's `ca_file`.
#include "webhook/exchange.hpp"

#include "config/value_parsers.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

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
        return "'" + config::redact_url_credentials(url) + "' is not a URL";
    if (u->scheme() != "http" && u->scheme() != "https")
        return "'" + config::redact_url_credentials(url) + "' is not an http:// or https:// URL";
    endpoint e;
    e.tls = u->scheme() == "https";
    e.host = u->host_address();
    e.port = u->has_port() ? std::string(u->port()) : (e.tls ? "443" : "80");
    e.target = u->encoded_target();
    if (e.target.empty())
        e.target = "/";
    if (e.host.empty())
        return "'" + config::redact_url_credentials(url) + "' names no host";
    return e;
}

std::variant<std::shared_ptr<boost::asio::ssl::context>, std::string>
tls_context(const std::optional<std::filesystem::path>& ca_file) {
    namespace ssl = boost::asio::ssl;
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1,
                     ec);
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (ca_file)
        ctx->load_verify_file(ca_file->string(), ec);
    else
        ctx->set_default_verify_paths(ec);
    if (ec)
        return "ca_file '" + (ca_file ? ca_file->string() : std::string("(system)")) +
               "': " + ec.message();
    return ctx;
}

exchange::exchange(boost::asio::any_io_executor ex, const endpoint& to, std::string body,
                   const std::map<std::string, std::string>& headers, report done,
                   std::shared_ptr<boost::asio::ssl::context> tls)
    : resolver_(ex), tls_context_(std::move(tls)), to_(to), done_(std::move(done)) {
    if (to_.tls && tls_context_)
        tls_.emplace(ex, *tls_context_);
    else
        plain_.emplace(ex);
    const bool default_port = to_.port == (to_.tls ? "443" : "80");
    req_.method(bhttp::verb::post);
    req_.target(to_.target);
    req_.version(11);
    req_.set(bhttp::field::host, default_port ? to_.host : to_.host + ":" + to_.port);
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
    // An IP literal needs no lookup: a numeric resolve neither blocks nor
    // hops to the resolver's thread.
    boost::system::error_code literal;
    boost::asio::ip::make_address(to_.host, literal);
    if (!literal) {
        using resolver = boost::asio::ip::tcp::resolver;
        boost::system::error_code ec;
        auto results = resolver_.resolve(to_.host, to_.port,
                                         resolver::numeric_host | resolver::numeric_service, ec);
        boost::asio::post(resolver_.get_executor(),
                          [self = shared_from_this(), ec, results = std::move(results)] {
                              self->on_resolve(ec, results);
                          });
        return;
    }
    // The resolver has no deadline of its own; the connect deadline starts
    // here so a slow lookup is bounded by it once connecting begins.
    resolver_.async_resolve(to_.host, to_.port,
                            [self = shared_from_this()](const auto& ec, const auto& results) {
                                self->on_resolve(ec, results);
                            });
}

boost::beast::tcp_stream& exchange::tcp() {
    return tls_ ? boost::beast::get_lowest_layer(*tls_) : *plain_;
}

void exchange::cancel() {
    resolver_.cancel();
    tcp().cancel();
}

void exchange::on_resolve(const boost::system::error_code& ec,
                          const boost::asio::ip::tcp::resolver::results_type& results) {
    if (ec)
        return finish({false, describe("resolve", ec, connect_deadline)});
    if (to_.tls && !tls_)
        return finish({false, "https:// needs a TLS context"});
    tcp().expires_after(connect_deadline);
    tcp().async_connect(results, [self = shared_from_this()](const auto& e, const auto&) {
        self->on_connect(e);
    });
}

void exchange::on_connect(const boost::system::error_code& ec) {
    if (ec)
        return finish({false, describe("connect", ec, connect_deadline)});
    tcp().expires_after(response_deadline);
    if (!tls_)
        return write_request();
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
        return finish({false, "TLS: cannot check the certificate against '" + to_.host + "'"});
    tls_->async_handshake(boost::asio::ssl::stream_base::client,
                          [self = shared_from_this()](const auto& e) { self->on_handshake(e); });
}

void exchange::on_handshake(const boost::system::error_code& ec) {
    if (ec) {
        // Name the certificate problem, not only "certificate verify failed".
        const long verify = SSL_get_verify_result(tls_->native_handle());
        std::string why = describe("TLS handshake", ec, response_deadline);
        if (verify != X509_V_OK)
            why += ": " + std::string(X509_verify_cert_error_string(verify));
        return finish({false, why});
    }
    write_request();
}

void exchange::write_request() {
    const auto on_write = [self = shared_from_this()](const auto& e, std::size_t) {
        self->on_write(e);
    };
    if (tls_)
        bhttp::async_write(*tls_, req_, on_write);
    else
        bhttp::async_write(*plain_, req_, on_write);
}

void exchange::on_write(const boost::system::error_code& ec) {
    if (ec)
        return finish({false, describe("send", ec, response_deadline)});
    const auto on_read = [self = shared_from_this()](const auto& e, std::size_t) {
        self->on_read(e);
    };
    if (tls_)
        bhttp::async_read(*tls_, buffer_, parser_, on_read);
    else
        bhttp::async_read(*plain_, buffer_, parser_, on_read);
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
    // With Connection: close and the whole answer read, the connection is
    // simply closed; a TLS close_notify exchange would only add a round trip
    // (and a peer that never answers it) for nothing the outcome depends on.
    boost::system::error_code ignored;
    tcp().socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    tcp().close();
    if (auto done = std::exchange(done_, nullptr))
        done(std::move(o));
}

} // namespace opel::webhook
