#pragma once
// A real SMTP server for the tests: Python's aiosmtpd (Debian's
// python3-aiosmtpd) on a port of its own on 127.0.0.1, storing each mail in
// a Maildir, with or without STARTTLS (a throwaway self-signed certificate
// made with openssl in the test's directory), or requiring AUTH. A wait for
// mail is woken by the kernel (inotify) as each mail is moved into the
// Maildir, with a timeout.

#include "support/mime.hpp"
#include "support/paths.hpp"
#include "support/process.hpp"
#include "support/webhook_receiver.hpp"

#include <catch2/catch.hpp>
#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace opel::test {

/// A self-signed certificate for 127.0.0.1, made in `dir`: {cert, key}.
inline std::pair<std::filesystem::path, std::filesystem::path>
make_certificate(const std::filesystem::path& dir) {
    const auto cert = dir / "smtp-cert.pem", key = dir / "smtp-key.pem";
    const auto [code, out] = run_to_end(
        {"/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         key.string(), "-out", cert.string(), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"});
    INFO(out);
    REQUIRE(code == 0);
    return {cert, key};
}

/// aiosmtpd in a child process.
class smtp_server {
public:
    /// Plain SMTP, or STARTTLS (required by the server) with `tls`.
    explicit smtp_server(const std::filesystem::path& dir,
                         std::optional<std::pair<std::filesystem::path, std::filesystem::path>>
                             tls = std::nullopt)
        : maildir_(dir / "maildir"), port_(webhook_support::unused_port()) {
        std::vector<std::string> argv{"/usr/bin/python3", "-m", "aiosmtpd", "-n", "-d", "-l",
                                      "127.0.0.1:" + std::to_string(port_)};
        if (tls) {
            argv.insert(argv.end(), {"--tlscert", tls->first.string(), "--tlskey",
                                     tls->second.string()});
        }
        argv.insert(argv.end(), {"-c", "aiosmtpd.handlers.Mailbox", maildir_.string()});
        process_ = std::make_unique<child_process>(argv);
        REQUIRE(process_->wait_for_line("listening", std::chrono::seconds(20)));
    }
    /// Plain SMTP that requires AUTH (PLAIN or LOGIN) as `username` with
    /// `password` (tests/support/smtp_auth_server.py).
    smtp_server(const std::filesystem::path& dir, const std::string& username,
                const std::string& password)
        : maildir_(dir / "maildir"), port_(webhook_support::unused_port()) {
        process_ = std::make_unique<child_process>(std::vector<std::string>{
            "/usr/bin/python3",
            (std::filesystem::path(OPEL_SOURCE_DIR) / "tests/support/smtp_auth_server.py")
                .string(),
            std::to_string(port_), maildir_.string(), username, password});
        REQUIRE(process_->wait_for_line("listening", std::chrono::seconds(20)));
    }
    std::uint16_t port() const { return port_; }
    /// The mails received so far, oldest first.
    std::vector<std::string> mails() const {
        std::vector<std::pair<std::filesystem::file_time_type, std::string>> found;
        std::error_code ec;
        for (const auto& f : std::filesystem::directory_iterator(maildir_ / "new", ec)) {
            std::ifstream in(f.path());
            std::ostringstream text;
            text << in.rdbuf();
            found.emplace_back(f.last_write_time(), text.str());
        }
        std::sort(found.begin(), found.end());
        std::vector<std::string> out;
        for (auto& [t, m] : found)
            out.push_back(std::move(m));
        return out;
    }
    /// Waits until `n` mails have come (false after 20 s). Each mail is
    /// written to tmp/ and renamed into new/, so the rename wakes the wait;
    /// the watch is set before the first count, so no mail slips between.
    bool wait_for(std::size_t n) const {
        const int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
        REQUIRE(fd >= 0);
        const bool watched =
            inotify_add_watch(fd, (maildir_ / "new").c_str(), IN_MOVED_TO | IN_CREATE) >= 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        bool enough = false;
        while (watched && !(enough = mails().size() >= n)) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{fd, POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
                break;
            char events[4096];
            while (read(fd, events, sizeof events) > 0) {
            }
        }
        close(fd);
        REQUIRE(watched);
        return enough;
    }

private:
    std::filesystem::path maildir_;
    std::uint16_t port_;
    std::unique_ptr<child_process> process_;
};

} // namespace opel::test
