#pragma once
// The HTTP acceptor, after Asio's http/server example: binds, accepts, and
// hands each new socket on; it knows nothing of HTTP. When accept fails (out
// of descriptors: EMFILE, ENFILE) it waits before trying again, 50 ms at
// first and doubling to 1 s, and logs once until it recovers: re-arming at
// once would spin the io thread at full CPU and starve every other client.

#include "config/config.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>

namespace opel::http {

/// Accepts TCP connections on one address.
class listener {
public:
    /// Receives each accepted socket. io thread.
    using on_accept = std::function<void(boost::asio::ip::tcp::socket)>;

    /// Binds `at`; throws if it cannot. `failures` counts failed accepts.
    listener(boost::asio::io_context& ioc, const config::address& at,
             std::atomic<std::uint64_t>& failures);

    /// Starts accepting; each socket goes to `accepted`.
    void start(on_accept accepted);
    /// Closes the acceptor; nothing more is accepted.
    void stop();
    /// The port actually bound (for port 0).
    std::uint16_t port() const { return port_; }

    /// The first pause after a failed accept, and the longest.
    static constexpr std::chrono::milliseconds first_backoff{50};
    static constexpr std::chrono::milliseconds max_backoff{1000};

private:
    void do_accept();
    void on_failure(const boost::system::error_code& ec);

    boost::asio::ip::tcp::acceptor acceptor_;
    boost::asio::steady_timer retry_;
    std::atomic<std::uint64_t>& failures_;
    on_accept accepted_;
    std::chrono::milliseconds backoff_{0}; ///< 0: accepting normally
    std::uint16_t port_ = 0;
    bool stopped_ = false;
};

} // namespace opel::http
