#pragma once
// Who may connect when CURVE is on: the decision half of a ZAP handler
// (ZeroMQ RFC 27), with no socket, so it is tested directly. The bridge
// thread owns the REP socket and passes each request's frames here.

#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

namespace opel::zmq {

/// The answer to one ZAP request.
struct zap_verdict {
    bool allowed = false;
    std::string reason;              ///< for the log
    std::string client;              ///< the client's Z85 public key, when CURVE
    std::string address;             ///< the peer's address, for the log
    std::vector<std::string> frames; ///< the reply to send back
};

/// Allows mechanism CURVE with a client key in the allow list; refuses
/// every other request with status 400.
class zap_policy {
public:
    /// Throws std::runtime_error when a key is not 40 Z85 characters.
    explicit zap_policy(const std::vector<std::string>& allowed_public_keys);

    /// The verdict on one request's frames.
    zap_verdict decide(const std::vector<std::string>& request) const;

    /// How many distinct client keys are allowed.
    std::size_t size() const { return allowed_.size(); }

private:
    std::unordered_set<std::string> allowed_; ///< 32-byte binary keys
};

} // namespace opel::zmq
