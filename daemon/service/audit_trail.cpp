#include "service/audit_trail.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

namespace opel::service {

std::string role_name(core::role r) {
    switch (r) {
    case core::role::practice:
        return "practice";
    case core::role::team:
        return "team";
    case core::role::control_room:
        return "control_room";
    case core::role::admin:
        return "admin";
    }
    return "unknown";
}

void record(store::transaction& tx, const principal& who, std::string action,
            std::string target, int status, const boost::json::object& detail) {
    store::record_audit(tx, {.actor = who.name,
                             .role = role_name(who.role),
                             .action = std::move(action),
                             .target = std::move(target),
                             .status = status,
                             .detail = boost::json::serialize(detail)});
}

std::function<reply(store::transaction&)>
audited(const principal& who, std::string action, std::string target, audited_job job) {
    return [who, action = std::move(action), target = std::move(target),
            job = std::move(job)](store::transaction& tx) {
        boost::json::object detail;
        auto r = job(tx, detail);
        if (r.status >= 400) {
            // The error's code, from the contract's error body.
            boost::system::error_code ec;
            const auto body = boost::json::parse(r.body, ec);
            if (!ec && body.is_object())
                if (const auto* e = body.as_object().if_contains("error"))
                    if (e->is_object())
                        if (const auto* code = e->as_object().if_contains("code"))
                            detail["error"] = *code;
        }
        record(tx, who, action, target, r.status, detail);
        return r;
    };
}

} // namespace opel::service
