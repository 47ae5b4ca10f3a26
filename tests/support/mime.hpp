#pragma once
// Reading a mail the way a mail client would, for the tests: a header's
// value, and a part's text decoded from base64. Pure, so the channel unit
// tests (which build mails without sending them) and the SMTP tests (which
// read them from a real server's Maildir) read mails the same way.

#include <openssl/evp.h>

#include <string>

namespace opel::test {

/// The decoded text of the first part of `mail` whose Content-Type starts
/// with `type` (the parts are base64).
inline std::string mail_part(const std::string& mail, const std::string& type) {
    const auto at = mail.find("Content-Type: " + type);
    if (at == std::string::npos)
        return {};
    const auto start = mail.find("\n\n", at) != std::string::npos &&
                               mail.find("\n\n", at) < mail.find("\r\n\r\n", at)
                           ? mail.find("\n\n", at) + 2
                           : mail.find("\r\n\r\n", at) + 4;
    const auto end = mail.find("--", start);
    std::string b64;
    for (char c : mail.substr(start, end - start))
        if (c != '\r' && c != '\n')
            b64 += c;
    std::string out(b64.size(), '\0');
    const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                  reinterpret_cast<const unsigned char*>(b64.data()),
                                  static_cast<int>(b64.size()));
    out.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
    while (!out.empty() && out.back() == '\0')
        out.pop_back();
    return out;
}

/// The value of header `name` in `mail`.
inline std::string mail_header(const std::string& mail, const std::string& name) {
    const auto at = mail.find("\n" + name + ": ");
    if (at == std::string::npos)
        return {};
    const auto start = at + name.size() + 3;
    auto end = mail.find('\n', start);
    auto v = mail.substr(start, end - start);
    if (!v.empty() && v.back() == '\r')
        v.pop_back();
    return v;
}

} // namespace opel::test
