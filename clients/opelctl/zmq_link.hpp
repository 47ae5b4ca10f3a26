#pragma once
// opelctl's ZeroMQ side: one request/reply submission to the daemon's ROUTER,
// and a SUB socket on its PUB feed.

#include <zmq.hpp>

#include <chrono>
#include <optional>
#include <string>

namespace opel::ctl {

/// Sends `payload` (the submission JSON with its token) over a DEALER to
/// `endpoint` and returns the reply's last frame; throws connect_error when
/// no reply arrives within `timeout` (ZeroMQ never refuses a connect).
std::string zmq_request(const std::string& endpoint, const std::string& payload,
                        std::chrono::milliseconds timeout);

/// One event from the PUB feed: its topic frame and its Event JSON frame.
struct feed_message {
    std::string topic;
    std::string event;
};

/// A subscription to the daemon's PUB socket.
class zmq_feed {
public:
    /// Connects to `endpoint`, subscribed to topics starting with `prefix`.
    zmq_feed(const std::string& endpoint, const std::string& prefix);

    /// The next event, or nullopt when none arrives within `wait`.
    std::optional<feed_message> next(std::chrono::milliseconds wait);

private:
    zmq::context_t ctx_;
    zmq::socket_t sub_;
};

} // namespace opel::ctl
