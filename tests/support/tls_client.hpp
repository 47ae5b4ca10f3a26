#pragma once
// TLS for the tests: a throw-away self-signed certificate made with OpenSSL's
// API (no openssl binary needed), and a small synchronous HTTPS client.

#include "support/http_client.hpp"

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace opel::test {

/// Writes a self-signed P-256 certificate for common name `cn` to `cert`
/// and its key to `key` (mode 0600).
inline void make_self_signed(const std::string& cn, const std::filesystem::path& cert,
                             const std::filesystem::path& key) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(EVP_EC_gen("P-256"), EVP_PKEY_free);
    std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
    if (!pkey || !x)
        throw std::runtime_error("cannot make a key");
    X509_set_version(x.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600L * 24 * 365 * 10);
    X509_set_pubkey(x.get(), pkey.get());
    auto* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(x.get(), name);
    if (!X509_sign(x.get(), pkey.get(), EVP_sha256()))
        throw std::runtime_error("cannot sign");
    const auto write = [](const std::filesystem::path& p, auto&& fn) {
        std::FILE* f = std::fopen(p.c_str(), "w");
        if (!f)
            throw std::runtime_error("cannot write " + p.string());
        fn(f);
        std::fclose(f);
    };
    write(cert, [&](std::FILE* f) { PEM_write_X509(f, x.get()); });
    write(key, [&](std::FILE* f) {
        PEM_write_PrivateKey(f, pkey.get(), nullptr, nullptr, 0, nullptr, nullptr);
    });
    std::filesystem::permissions(key, std::filesystem::perms::owner_read |
                                          std::filesystem::perms::owner_write);
}

/// A keep-alive HTTPS connection to 127.0.0.1:port (the certificate is not
/// verified: the tests look at it instead).
class tls_client {
public:
    explicit tls_client(std::uint16_t port) : stream_(ioc_, ctx_) {
        ctx_.set_verify_mode(boost::asio::ssl::verify_none);
        boost::beast::get_lowest_layer(stream_).connect(boost::asio::ip::tcp::endpoint(
            boost::asio::ip::make_address("127.0.0.1"), port));
        stream_.handshake(boost::asio::ssl::stream_base::client);
    }

    /// The common name of the certificate the server presented.
    std::string peer_common_name() {
        X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
        if (!cert)
            return {};
        char buf[256] = {};
        X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, buf, sizeof buf);
        X509_free(cert);
        return buf;
    }

    http_answer call(boost::beast::http::verb method, const std::string& target,
                     const std::string& body = {}, const std::string& token = {}) {
        namespace http = boost::beast::http;
        http::request<http::string_body> req{method, target, 11};
        req.set(http::field::host, "localhost");
        if (!token.empty())
            req.set(http::field::authorization, "Bearer " + token);
        if (!body.empty())
            req.set(http::field::content_type, "application/json");
        req.body() = body;
        req.prepare_payload();
        http::write(stream_, req);
        http::response<http::string_body> res;
        http::read(stream_, buffer_, res);
        http_answer a;
        a.status = static_cast<int>(res.result_int());
        for (const auto& f : res)
            a.headers[std::string(f.name_string())] = std::string(f.value());
        a.body = res.body();
        return a;
    }
    http_answer get(const std::string& target, const std::string& token = {}) {
        return call(boost::beast::http::verb::get, target, {}, token);
    }

    /// Sends raw bytes (a request the test writes itself).
    void send(const std::string& bytes) {
        boost::asio::write(stream_, boost::asio::buffer(bytes));
    }
    /// Reads until `marker` has arrived; returns everything read so far.
    std::string read_until(const std::string& marker) {
        while (text_.find(marker) == std::string::npos) {
            char buf[4096];
            const auto n = stream_.read_some(boost::asio::buffer(buf));
            text_.append(buf, n);
        }
        return text_;
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ssl::context ctx_{boost::asio::ssl::context::tls_client};
    boost::beast::ssl_stream<boost::beast::tcp_stream> stream_;
    boost::beast::flat_buffer buffer_;
    std::string text_;
};

} // namespace opel::test
