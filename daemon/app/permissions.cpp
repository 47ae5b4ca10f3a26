// Secret files' permissions, checked at start and on reload. Only the mode
// bits are read here: a file's contents never reach a log line.
#include "app/permissions.hpp"

#include <sys/stat.h>

#include <cstdio>

namespace opel::app {

std::vector<secret_file> secret_files(const config::config& cfg) {
    std::vector<secret_file> out;
    bool inline_secret = false;
    for (const auto& s : cfg.subscribers) {
        if (s.secret_file)
            out.push_back({*s.secret_file, "the webhook secret of subscriber '" + s.name + "'"});
        else if (!s.secret.empty())
            inline_secret = true;
        if (s.api_key_file)
            out.push_back({*s.api_key_file, "the Notify API key of subscriber '" + s.name + "'"});
    }
    if (cfg.smtp && cfg.smtp->password_file)
        out.push_back({*cfg.smtp->password_file, "the SMTP password"});
    if (inline_secret && !cfg.file.empty())
        out.push_back({cfg.file, "webhook secrets written in the config"});
    if (cfg.zmq.curve)
        out.push_back({cfg.zmq.curve->secret_key_file, "the CURVE secret key"});
    if (cfg.http.tls_key)
        out.push_back({*cfg.http.tls_key, "the TLS private key"});
    return out;
}

std::vector<std::string> permission_warnings(const std::vector<secret_file>& files) {
    std::vector<std::string> out;
    for (const auto& f : files) {
        struct stat st {};
        if (::stat(f.path.c_str(), &st) != 0)
            continue; // the loader reports files it cannot read
        std::string why;
        if (st.st_mode & S_IROTH)
            why = "readable by every user";
        else if (st.st_mode & S_IWOTH)
            why = "writable by every user";
        else if (st.st_mode & S_IWGRP)
            why = "writable by its group";
        if (why.empty())
            continue;
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        out.push_back(f.path.string() + " holds " + f.what + " but is " + why + " (mode " +
                      mode + "); make it 0600 or 0640, owned by the daemon's user");
    }
    return out;
}

} // namespace opel::app
