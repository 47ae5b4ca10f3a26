#pragma once
// The last frame of a ZeroMQ reply: the HTTP answer's body with `status`
// added, built by splicing text rather than re-parsing the JSON.

#include "service/reply.hpp"

#include <string>

namespace opel::zmq {

/// The answer's JSON object body with `"status":<code>` as its first field; a
/// body that is not an object (never sent by the service) is carried as a
/// string field `body` so the frame is still one JSON object.
std::string reply_frame(const service::reply& r);

} // namespace opel::zmq
