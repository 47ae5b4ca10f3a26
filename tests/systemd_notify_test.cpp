// The built opeld's conversation with systemd, read off a notification
// socket of the test's own (NOTIFY_SOCKET), as systemd would see it under
// Type=notify: READY=1 only once the listeners answer, WATCHDOG=1 from the
// event loop, RELOADING=1 with MONOTONIC_USEC then READY=1 around SIGHUP,
// STOPPING=1 on SIGTERM.
#include "support/process.hpp"
#include "support/test_daemon.hpp"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstdlib>
#include <regex>
#include <set>

using namespace opel::test;

namespace {

const std::string opeld = std::string(OPEL_BINARY_DIR) + "/opeld";

/// A unix datagram socket standing in for systemd's notification socket.
class notify_socket {
public:
    explicit notify_socket(const std::filesystem::path& path) {
        fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const auto p = path.string();
        REQUIRE(p.size() < sizeof addr.sun_path);
        std::copy(p.begin(), p.end(), addr.sun_path);
        REQUIRE(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    }
    ~notify_socket() { close(fd_); }

    /// The next datagram, or "" after `timeout`.
    std::string next(std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
            return {};
        char buf[4096];
        const auto n = recv(fd_, buf, sizeof buf, 0);
        return n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    }

    /// The next datagram that is not a watchdog pet.
    std::string next_state() {
        for (;;) {
            auto m = next();
            if (m != "WATCHDOG=1")
                return m;
        }
    }

private:
    int fd_ = -1;
};

bool has_line(const std::string& message, const std::string& line) {
    return ("\n" + message + "\n").find("\n" + line + "\n") != std::string::npos;
}

} // namespace

TEST_CASE("opeld tells systemd it is ready, alive, reloading and stopping", "[systemd]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    notify_socket sd(dir.path() / "notify");
    // Inherited by the child: the variables systemd sets for a Type=notify
    // service with WatchdogSec=.
    setenv("NOTIFY_SOCKET", (dir.path() / "notify").c_str(), 1);
    setenv("WATCHDOG_USEC", "200000", 1);
    child_process p({opeld, "--config", cfg.string()});
    unsetenv("NOTIFY_SOCKET");
    unsetenv("WATCHDOG_USEC");

    const auto ready = sd.next_state();
    INFO(p.output());
    REQUIRE(has_line(ready, "READY=1"));
    // By READY=1 the port is logged and answers.
    const auto line = p.wait_for_line("listening on http://", std::chrono::seconds(20));
    REQUIRE(line);
    std::smatch m;
    REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)$)")));
    CHECK(http_client(static_cast<std::uint16_t>(std::stoi(m[1]))).get("/healthz").status ==
          200);

    // Its threads carry names, so that top -H and perf tell them apart.
    std::set<std::string> threads;
    for (const auto& t :
         std::filesystem::directory_iterator("/proc/" + std::to_string(p.pid()) + "/task")) {
        std::ifstream comm(t.path() / "comm");
        std::string name;
        std::getline(comm, name);
        threads.insert(name);
    }
    CHECK(threads.contains("opeld-writer"));
    CHECK(threads.contains("opeld-reader"));
    CHECK(threads.contains("opeld-zmq"));

    // The event loop pets the watchdog at half of WATCHDOG_USEC.
    CHECK(sd.next() == "WATCHDOG=1");

    p.signal(SIGHUP);
    const auto reloading = sd.next_state();
    CHECK(has_line(reloading, "RELOADING=1"));
    CHECK(std::regex_search(reloading, std::regex(R"((^|\n)MONOTONIC_USEC=[1-9]\d*(\n|$))")));
    auto after = sd.next_state();
    while (!after.empty() && !has_line(after, "READY=1"))
        after = sd.next_state();
    CHECK(has_line(after, "READY=1"));

    p.signal(SIGTERM);
    auto stopping = sd.next_state();
    while (!stopping.empty() && !has_line(stopping, "STOPPING=1"))
        stopping = sd.next_state();
    CHECK(has_line(stopping, "STOPPING=1"));
    CHECK(p.wait() == 0);
}
