// Event serialisation: the one shape every channel sends.
#include "core/event.hpp"

#include "core/time.hpp"

#include <boost/json.hpp>

namespace opel::core {

std::string event_json(const event& e) {
    std::string out;
    out.reserve(e.data.size() + e.topic.size() + 80);
    out += "{\"seq\":";
    out += std::to_string(e.seq);
    out += ",\"topic\":";
    out += boost::json::serialize(boost::json::string_view(e.topic));
    out += ",\"time\":\"";
    out += format_time(e.time);
    out += "\",\"data\":";
    out += e.data;
    out += '}';
    return out;
}

} // namespace opel::core
