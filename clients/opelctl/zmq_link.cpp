// ZeroMQ transport for opelctl. Each socket lives on the one thread that
// made it and has ZMQ_LINGER 0, so an unanswered request never keeps the
// process alive on exit. The DEALER sends an empty delimiter frame before
// the payload, the shape a REQ would send, which the daemon echoes back.
#include "zmq_link.hpp"

#include "ctl_error.hpp"

#include <zmq_addon.hpp>

#include <vector>

namespace opel::ctl {

std::string zmq_request(const std::string& endpoint, const std::string& payload,
                        std::chrono::milliseconds timeout) {
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    try {
        dealer.connect(endpoint);
    } catch (const zmq::error_t& e) {
        throw usage_error("ZeroMQ endpoint " + endpoint + ": " + e.what());
    }
    std::vector<zmq::message_t> out;
    out.emplace_back();
    out.emplace_back(payload.data(), payload.size());
    zmq::send_multipart(dealer, out);
    zmq::pollitem_t item{dealer.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, timeout) == 0)
        throw connect_error("no reply from " + endpoint + " within the timeout");
    std::vector<zmq::message_t> reply;
    if (!zmq::recv_multipart(dealer, std::back_inserter(reply)) || reply.empty())
        throw connect_error("an empty reply from " + endpoint);
    return reply.back().to_string();
}

zmq_feed::zmq_feed(const std::string& endpoint, const std::string& prefix)
    : sub_(ctx_, zmq::socket_type::sub) {
    sub_.set(zmq::sockopt::linger, 0);
    sub_.set(zmq::sockopt::subscribe, prefix);
    try {
        sub_.connect(endpoint);
    } catch (const zmq::error_t& e) {
        throw usage_error("ZeroMQ endpoint " + endpoint + ": " + e.what());
    }
}

std::optional<feed_message> zmq_feed::next(std::chrono::milliseconds wait) {
    zmq::pollitem_t item{sub_.handle(), 0, ZMQ_POLLIN, 0};
    if (zmq::poll(&item, 1, wait) == 0)
        return std::nullopt;
    std::vector<zmq::message_t> parts;
    if (!zmq::recv_multipart(sub_, std::back_inserter(parts)) || parts.size() < 2)
        return std::nullopt;
    return feed_message{parts.front().to_string(), parts.back().to_string()};
}

} // namespace opel::ctl
