// Subscribers' URLs taken apart, and the TLS client context: an https://
// peer must present a certificate that chains to a trusted CA; there is no
// switch to turn that off: a private CA is given as the subscriber's
// `ca_file`.
#include "webhook/endpoint.hpp"

#include "config/value_parsers.hpp"

#include <boost/url/parse.hpp>

namespace opel::webhook {

std::variant<endpoint, std::string> parse_endpoint(const std::string& url) {
    const auto u = boost::urls::parse_uri(url);
    if (!u)
        return "'" + config::url_origin(url) + "' is not a URL";
    if (u->scheme() != "http" && u->scheme() != "https")
        return "'" + config::url_origin(url) + "' is not an http:// or https:// URL";
    endpoint e;
    e.tls = u->scheme() == "https";
    e.host = u->host_address();
    e.port = u->has_port() ? std::string(u->port()) : (e.tls ? "443" : "80");
    e.target = u->encoded_target();
    if (e.target.empty())
        e.target = "/";
    if (e.host.empty())
        return "'" + config::url_origin(url) + "' names no host";
    if (u->has_userinfo()) // decoded: the Basic credentials are the plain text
        e.credentials = u->user() + ":" + u->password();
    return e;
}

std::string host_header(const endpoint& to) {
    const bool default_port = to.port == (to.tls ? "443" : "80");
    const auto host = to.host.find(':') != std::string::npos ? "[" + to.host + "]" : to.host;
    return default_port ? host : host + ":" + to.port;
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

} // namespace opel::webhook
