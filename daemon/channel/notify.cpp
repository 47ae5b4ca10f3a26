// Notify's JWT is built here rather than with a JWT library: it is three
// base64url parts and one HMAC-SHA256 (OpenSSL, through core/crypto), and
// Notify takes only HS256 with `iss` and `iat`.
#include "channel/notify.hpp"

#include "core/crypto.hpp"

#include <boost/json.hpp>

namespace opel::channel {

namespace json = boost::json;

std::string notify_jwt(const std::string& service_id, const std::string& secret,
                       core::time_point now) {
    const auto iat = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
    const auto head = core::base64url(R"({"typ":"JWT","alg":"HS256"})");
    const auto claims =
        core::base64url(json::serialize(json::object{{"iss", service_id}, {"iat", iat.count()}}));
    const auto mac = core::hmac_sha256(secret, head + "." + claims);
    const auto signature =
        core::base64url(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
    return head + "." + claims + "." + signature;
}

std::string notify_body(const std::string& phone_number, const std::string& template_id,
                        const std::string& text) {
    return json::serialize(json::object{{"phone_number", phone_number},
                                        {"template_id", template_id},
                                        {"personalisation", json::object{{"message", text}}}});
}

std::string notify_error(const std::string& answer) {
    boost::system::error_code ec;
    const auto v = json::parse(answer, ec);
    if (!ec && v.is_object())
        if (const auto* errors = v.as_object().if_contains("errors");
            errors && errors->is_array() && !errors->as_array().empty() &&
            errors->as_array().front().is_object()) {
            const auto& first = errors->as_array().front().as_object();
            std::string out;
            for (const char* key : {"error", "message"})
                if (const auto* s = first.if_contains(key); s && s->is_string())
                    out += (out.empty() ? "" : ": ") + std::string(s->as_string());
            if (!out.empty())
                return out;
        }
    return answer.substr(0, 200);
}

} // namespace opel::channel
