// Building responses: every answer is no-store (they carry live data and
// tokens' views of it) and framed by Content-Length.
#include "http/response.hpp"

namespace opel::http {

namespace bhttp = boost::beast::http;

std::shared_ptr<response> make_response(service::reply r, unsigned version, bool keep_alive) {
    auto res = std::make_shared<response>(static_cast<bhttp::status>(r.status), version);
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    for (auto& [name, value] : r.headers)
        res->set(name, value);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    return res;
}

} // namespace opel::http
