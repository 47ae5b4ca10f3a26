// The TLS server context. OpenSSL's own error text says what is wrong with a
// file (no PEM, key does not match) without quoting the key.
#include "http/tls.hpp"

#include <openssl/ssl.h>

namespace opel::http {

namespace ssl = boost::asio::ssl;

std::variant<std::shared_ptr<ssl::context>, std::string>
make_tls_context(const std::filesystem::path& cert, const std::filesystem::path& key) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    boost::system::error_code ec;
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                         ssl::context::no_sslv3 | ssl::context::no_tlsv1 |
                         ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                     ec);
    if (ec)
        return "TLS options: " + ec.message();
    ctx->use_certificate_chain_file(cert.string(), ec);
    if (ec)
        return cert.string() + ": not a usable PEM certificate chain (" + ec.message() + ")";
    ctx->use_private_key_file(key.string(), ssl::context::pem, ec);
    if (ec)
        return key.string() + ": not a usable PEM private key (" + ec.message() + ")";
    if (SSL_CTX_check_private_key(ctx->native_handle()) != 1)
        return key.string() + ": the private key does not match the certificate in " +
               cert.string();
    return ctx;
}

} // namespace opel::http
