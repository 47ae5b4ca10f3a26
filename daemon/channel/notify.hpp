#pragma once
// GOV.UK Notify's request for one SMS: the JWT that authorises it and the
// JSON body. Pure; the key is the subscriber's, parsed by the config.

#include "core/types.hpp"

#include <string>

namespace opel::channel {

/// A JWT for Notify: HS256, `iss` the service id, `iat` now in seconds,
/// signed with the key's secret.
std::string notify_jwt(const std::string& service_id, const std::string& secret,
                       core::time_point now);

/// The body of `POST /v2/notifications/sms`: the number, the template and
/// `personalisation.message` holding `text`.
std::string notify_body(const std::string& phone_number, const std::string& template_id,
                        const std::string& text);

/// Why Notify refused a request, from its error answer
/// (`{"errors": [{"error", "message"}]}`), or the answer itself, shortened.
std::string notify_error(const std::string& answer);

} // namespace opel::channel
