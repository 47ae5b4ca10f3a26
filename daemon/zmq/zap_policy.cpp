// The ZAP decision. A request is: version "1.0", request id, domain, address,
// routing id, mechanism, then the mechanism's credentials (for CURVE, the
// client's 32-byte public key). The reply is: version, request id, status
// code, status text, user id, metadata. An allowed client's user id is its
// Z85 key, so the messages it sends carry it as the "User-Id" property.
#include "zmq/zap_policy.hpp"

#include "zmq/curve.hpp"

namespace opel::zmq {

namespace {

constexpr std::size_t request_fields = 6;

std::vector<std::string> reply_frames(const std::vector<std::string>& request, bool allowed,
                                      const std::string& text, const std::string& user) {
    const std::string id = request.size() > 1 ? request[1] : std::string();
    return {"1.0", id, allowed ? "200" : "400", text, user, std::string()};
}

zap_verdict refuse(const std::vector<std::string>& request, std::string reason) {
    zap_verdict v;
    v.reason = std::move(reason);
    if (request.size() > 3) v.address = request[3];
    v.frames = reply_frames(request, false, v.reason, {});
    return v;
}

} // namespace

zap_policy::zap_policy(const std::vector<std::string>& allowed_public_keys) {
    for (const auto& key : allowed_public_keys)
        allowed_.insert(decode_z85_key(key));
}

zap_verdict zap_policy::decide(const std::vector<std::string>& request) const {
    if (request.size() < request_fields || request[0] != "1.0")
        return refuse(request, "malformed ZAP request");
    if (request[5] != "CURVE")
        return refuse(request, "mechanism " + request[5] + " is not allowed");
    if (request.size() != request_fields + 1 || request[6].size() != 32)
        return refuse(request, "malformed CURVE credentials");
    auto v = refuse(request, "client key not allowed");
    v.client = encode_z85_key(request[6]);
    if (allowed_.count(request[6]) == 0) return v;
    v.allowed = true;
    v.reason = "OK";
    v.frames = reply_frames(request, true, v.reason, v.client);
    return v;
}

} // namespace opel::zmq
