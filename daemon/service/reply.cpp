// Building answers: every error goes out in the contract's one shape.
#include "service/reply.hpp"

#include "core/json_out.hpp"

#include <boost/json.hpp>

#include <algorithm>

namespace opel::service {

reply json_reply(int status, const boost::json::value& body) {
    return reply{status, boost::json::serialize(body), "application/json", {}};
}

reply error_reply(const core::error& e) {
    return json_reply(e.status, core::error_body(e));
}

reply error_reply(int status, std::string code, std::string message, std::string field) {
    return error_reply(core::error{status, std::move(code), std::move(message), std::move(field)});
}

reply rate_limited(std::chrono::microseconds wait, std::string_view whose) {
    const auto seconds =
        std::max<long long>(1, std::chrono::ceil<std::chrono::seconds>(wait).count());
    auto r = error_reply(429, "rate_limited",
                         "Too many requests " + std::string(whose) + "; retry after " +
                             std::to_string(seconds) + " s.");
    r.headers.emplace_back("Retry-After", std::to_string(seconds));
    return r;
}

} // namespace opel::service
