// The ZAP decision. A request is: version "1.0", request id, domain, address,
// routing id, mechanism, then the mechanism's credentials (for CURVE, the
// client's 32-byte public key; none for NULL). The reply is: version, request
// id, status code, status text, user id, metadata. An allowed CURVE client's
// user id is its Z85 key, so the messages it sends carry it as the "User-Id"
// property. The domain says which socket is asked for, so each socket has its
// own allow list and its own cap.
#include "zmq/zap_policy.hpp"

#include "zmq/curve.hpp"

namespace opel::zmq {

namespace {

constexpr std::size_t request_fields = 6;

std::vector<std::string> reply_frames(const std::vector<std::string>& request,
                                      const std::string& status, const std::string& text,
                                      const std::string& user) {
    const std::string id = request.size() > 1 ? request[1] : std::string();
    return {"1.0", id, status, text, user, std::string()};
}

zap_verdict refuse(const std::vector<std::string>& request, std::string reason,
                   const std::string& status = "400") {
    zap_verdict v;
    v.reason = std::move(reason);
    if (request.size() > 3) v.address = request[3];
    v.frames = reply_frames(request, status, v.reason, {});
    return v;
}

zap_verdict allow(const std::vector<std::string>& request, std::string user) {
    zap_verdict v;
    v.allowed = true;
    v.reason = "OK";
    if (request.size() > 3) v.address = request[3];
    v.client = user;
    v.frames = reply_frames(request, "200", v.reason, user);
    return v;
}

std::unordered_set<std::string> decoded(const std::vector<std::string>& keys) {
    std::unordered_set<std::string> out;
    for (const auto& key : keys)
        out.insert(decode_z85_key(key));
    return out;
}

} // namespace

zap_socket socket_of(const std::vector<std::string>& request) {
    if (request.size() < 3) return zap_socket::unknown;
    if (request[2] == ingest_zap_domain) return zap_socket::ingest;
    if (request[2] == publish_zap_domain) return zap_socket::publish;
    return zap_socket::unknown;
}

zap_policy::zap_policy(const std::vector<std::string>& ingest_keys,
                       const std::vector<std::string>& publish_keys)
    : curve_(true), ingest_(decoded(ingest_keys)), publish_(decoded(publish_keys)) {}

zap_verdict zap_policy::decide(const std::vector<std::string>& request, bool full) const {
    if (request.size() < request_fields || request[0] != "1.0")
        return refuse(request, "malformed ZAP request");
    const auto socket = socket_of(request);
    if (socket == zap_socket::unknown)
        return refuse(request, "unknown ZAP domain");
    const std::string& mechanism = request[5];
    if (mechanism != (curve_ ? "CURVE" : "NULL"))
        return refuse(request, "mechanism " + mechanism + " is not allowed");
    std::string client;
    if (curve_) {
        if (request.size() != request_fields + 1 || request[6].size() != 32)
            return refuse(request, "malformed CURVE credentials");
        client = encode_z85_key(request[6]);
        const auto& allowed = socket == zap_socket::ingest ? ingest_ : publish_;
        if (allowed.count(request[6]) == 0) {
            auto v = refuse(request, socket == zap_socket::ingest
                                         ? "client key not allowed to submit"
                                         : "client key not allowed to subscribe");
            v.client = std::move(client);
            return v;
        }
    }
    // Checked after the key: a stranger is told no, not "come back later".
    if (full) {
        auto v = refuse(request, "too many connections", "300");
        v.full = true;
        v.client = std::move(client);
        return v;
    }
    return allow(request, std::move(client));
}

} // namespace opel::zmq
