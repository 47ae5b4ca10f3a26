#pragma once
// Sends mails over SMTP with libcurl, on a thread of its own: curl's easy
// interface blocks, and a slow relay must never hold up the io thread. One
// mail at a time, in the order given; each outcome is handed back on the io
// thread's executor.

#include "config/config.hpp"
#include "webhook/exchange.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace opel::webhook {

/// One mail to send: the relay, the envelope and the message text.
struct mail {
    config::smtp_config smtp;
    std::vector<std::string> to;
    std::string message; ///< RFC 5322 text, CRLF-ended lines
};

/// The SMTP sender.
class mailer {
public:
    /// Reports how one mail went, on the executor.
    using report = std::function<void(outcome)>;

    /// Deadlines: connecting, and the whole exchange with the relay.
    static constexpr std::chrono::seconds connect_deadline{10};
    static constexpr std::chrono::seconds send_deadline{60};

    /// A mailer that reports on `ex`; its thread starts at once.
    explicit mailer(boost::asio::any_io_executor ex);
    /// Stops: the mail under way is cut short, the queued ones dropped.
    ~mailer();
    mailer(const mailer&) = delete;
    mailer& operator=(const mailer&) = delete;

    /// Queues `m`; `done` hears how it went.
    void send(mail m, report done);
    /// Cuts short the mail under way and drops the queued ones (they stay in
    /// the outbox and go again after a restart).
    void stop();

private:
    void run();
    outcome deliver(const mail& m);

    boost::asio::any_io_executor ex_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::pair<mail, report>> queue_;
    std::atomic<bool> stopping_{false};
    std::thread thread_;
};

} // namespace opel::webhook
