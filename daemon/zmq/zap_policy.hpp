#pragma once
// Who may connect: the decision half of a ZAP handler (ZeroMQ RFC 27), with
// no socket, so it is tested directly. The bridge thread owns the REP socket
// and passes each request's frames here with whether the socket the request
// is for is full. Every connection to either socket is asked about, CURVE or
// not, so that the connection cap holds on both.

#include <cstddef>
#include <string>
#include <unordered_set>
#include <vector>

namespace opel::zmq {

/// The ZAP domain of the ingest ROUTER.
inline constexpr const char* ingest_zap_domain = "opeld.ingest";
/// The ZAP domain of the event PUB.
inline constexpr const char* publish_zap_domain = "opeld.publish";

/// Which of the bridge's sockets a ZAP request is for.
enum class zap_socket { ingest, publish, unknown };

/// The socket a request is for, by its domain (the third frame).
zap_socket socket_of(const std::vector<std::string>& request);

/// The answer to one ZAP request.
struct zap_verdict {
    bool allowed = false;
    bool full = false;               ///< refused because the socket is at its cap
    std::string reason;              ///< for the log
    std::string client;              ///< the client's Z85 public key, when CURVE
    std::string address;             ///< the peer's address, for the log
    std::vector<std::string> frames; ///< the reply to send back
};

/// Without CURVE: allows mechanism NULL. With CURVE: allows mechanism CURVE
/// with a client key in the allow list of the socket asked for. Either way a
/// connection to a full socket is refused with status 300 (a temporary
/// failure: libzmq closes it without an error, and the client reconnects
/// later), and anything else with 400.
class zap_policy {
public:
    /// CURVE off: NULL connections only.
    zap_policy() = default;
    /// CURVE on, with each socket's allowed client keys (Z85). Throws
    /// std::runtime_error when a key is not 40 Z85 characters.
    zap_policy(const std::vector<std::string>& ingest_keys,
               const std::vector<std::string>& publish_keys);

    /// The verdict on one request's frames; `full` when the socket it is for
    /// holds more connections than its cap (this one included).
    zap_verdict decide(const std::vector<std::string>& request, bool full) const;

    /// Whether CURVE is required.
    bool curve() const { return curve_; }
    /// How many distinct client keys each socket allows.
    std::size_t ingest_size() const { return ingest_.size(); }
    std::size_t publish_size() const { return publish_.size(); }

private:
    bool curve_ = false;
    std::unordered_set<std::string> ingest_;  ///< 32-byte binary keys
    std::unordered_set<std::string> publish_; ///< 32-byte binary keys
};

} // namespace opel::zmq
