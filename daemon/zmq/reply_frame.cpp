// Splicing `status` into an answer body. The service's bodies are serialised
// JSON objects, so inserting the field after the opening brace is enough and
// costs one copy; parsing and re-serialising would cost far more per reply.
#include "zmq/reply_frame.hpp"

#include <boost/json/serialize.hpp>
#include <boost/json/string_view.hpp>

#include <string_view>

namespace opel::zmq {

namespace {

constexpr std::string_view json_space = " \t\r\n";

} // namespace

std::string reply_frame(const service::reply& r) {
    const std::string_view body = r.body;
    std::string out = "{\"status\":" + std::to_string(r.status);
    const auto open = body.find_first_not_of(json_space);
    if (open == std::string_view::npos) return out + '}';
    if (body[open] != '{') {
        out += ",\"body\":";
        out += boost::json::serialize(boost::json::string_view(body.data(), body.size()));
        return out + '}';
    }
    const auto rest = body.substr(open + 1);
    const auto next = rest.find_first_not_of(json_space);
    // An empty object ("{}", "{ }") takes no comma after the new field.
    if (next == std::string_view::npos || rest[next] == '}') return out + '}';
    out.reserve(out.size() + rest.size() + 1);
    out += ',';
    out += rest;
    return out;
}

} // namespace opel::zmq
