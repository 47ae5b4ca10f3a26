// Fuzz target: the HTTP request path. A real daemon (the whole app: Beast
// sessions, router, handlers, store) runs in this process on loopback port 0
// in a scratch directory; each input is sent as raw bytes on a new
// connection, the client's side is then shut, and every answer is read until
// the daemon closes. Crashes, sanitizer reports and a 500 (an escaped
// exception) are findings. The demo tokens below let inputs reach the
// handlers behind authentication.
#include "fuzz_target.hpp"

#include "app/app.hpp"
#include "config/config_loader.hpp"
#include "core/clock.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>

namespace {

std::filesystem::path dir;
std::unique_ptr<opel::core::manual_clock> clock_;
std::unique_ptr<opel::app::app> daemon_;
std::thread runner;
std::uint16_t port = 0;

void write_config(const std::filesystem::path& file) {
    const std::filesystem::path src = OPEL_SOURCE_DIR;
    std::ofstream out(file);
    out << "timezone: Europe/London\n"
        << "database: opeld.db\n"
        << "practices: " << (src / "config/practices.yaml").string() << "\n"
        << "rules: " << (src / "rules/llr.yaml").string() << "\n"
        << "http:\n  listen: 127.0.0.1:0\n  read_timeout: 1\n  idle_timeout: 1\n"
        << "zmq:\n  ingest: \"\"\n  publish: \"\"\n"
        << "limits:\n  rate: 0\n"
        << "tokens:\n";
    const auto tok = [&](const char* name, const char* token, const char* role,
                         const char* practice) {
        out << "  - name: " << name << "\n    sha256: " << opel::config::sha256_hex(token)
            << "\n    role: " << role << "\n";
        if (*practice) out << "    practice: " << practice << "\n";
    };
    tok("C82001 manager", "token-practice-C82001", "practice", "C82001");
    tok("team", "token-team", "team", "");
    tok("control room", "token-control", "control_room", "");
    tok("admin", "token-admin", "admin", "");
}

void shut_down() {
    if (daemon_) {
        daemon_->stop();
        runner.join();
        daemon_.reset();
    }
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    std::string tmpl = (std::filesystem::temp_directory_path() / "opeld-fuzz-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) std::abort();
    dir = tmpl;
    write_config(dir / "opeld.yaml");
    // 2026-11-25 10:00 UTC, a working Wednesday.
    clock_ = std::make_unique<opel::core::manual_clock>(
        opel::core::time_point{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25} +
                               std::chrono::hours{10}});
    opel::app::app_options opts;
    opts.clock = clock_.get();
    opts.handle_signals = false;
    opts.notify_systemd = false;
    daemon_ = std::make_unique<opel::app::app>(
        opel::config::load_config_or_throw(dir / "opeld.yaml"), opts);
    runner = std::thread([] { daemon_->run(); });
    if (daemon_->ready().wait_for(std::chrono::seconds(30)) != std::future_status::ready)
        std::abort();
    port = daemon_->http_port();
    std::atexit(shut_down);
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) std::abort();
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) std::abort();
    // A stream (/v1/stream) never ends by itself: stop reading after a while.
    timeval tv{0, 300000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::size_t sent = 0;
    while (sent < size) {
        const auto n = ::send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break; // the daemon may close early on a bad request
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd, SHUT_WR);
    std::string answers;
    char buf[65536];
    for (;;) {
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        answers.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    // An answer to a client's bytes is never a 500: that would be an escaped
    // exception or an unchecked case.
    if (answers.find("HTTP/1.1 500 ") != std::string::npos ||
        answers.find("HTTP/1.0 500 ") != std::string::npos)
        std::abort();
    return 0;
}
