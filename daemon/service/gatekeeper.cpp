// Tokens, limits and the refusal log: see gatekeeper.hpp.
#include "service/gatekeeper.hpp"

#include "log/log.hpp"

#include <spdlog/logger.h>

namespace opel::service {

namespace {

reply unauthenticated() {
    return error_reply(401, "unauthenticated",
                       "A valid bearer token is required: send Authorization: Bearer TOKEN.");
}

} // namespace

std::string loggable(std::string_view s) {
    s = s.substr(0, s.find('?'));
    std::string out(s.substr(0, 200));
    for (auto& ch : out)
        if (ch < 0x20 || ch > 0x7e)
            ch = '?';
    if (s.size() > 200)
        out += "...";
    return out;
}

gatekeeper::gatekeeper(const core::clock& clock, metrics& m) : clock_(clock), metrics_(m) {}

void gatekeeper::set_deployment(std::shared_ptr<const deployment> d) {
    limiter_.reconfigure(d->cfg->limits.rate, d->cfg->limits.burst);
    deployment_ = std::move(d);
}

std::variant<principal, reply> gatekeeper::admit(std::string_view bearer, caller from) {
    auto who = deployment_->tokens.authenticate(bearer);
    if (!who) {
        log_refusal(from, bearer.empty() ? "401: no bearer token" : "401: unknown token");
        return unauthenticated();
    }
    if (auto refused = limit(*who))
        return *refused;
    return *who;
}

void gatekeeper::log_refusal(caller from, std::string_view reason) {
    ++metrics_.auth_failures;
    if (refusal_log_limiter_.take("", clock_.now())) {
        ++refusals_unlogged_;
        return;
    }
    const auto peer = from.peer.empty() ? std::string("zmq") : loggable(from.peer);
    if (refusals_unlogged_ > 0) {
        log::of<"auth">()->warn("refused {} {}: {} ({} more refusals not logged)", peer,
                                loggable(from.path), reason, refusals_unlogged_);
        refusals_unlogged_ = 0;
    } else {
        log::of<"auth">()->warn("refused {} {}: {}", peer, loggable(from.path), reason);
    }
}

std::optional<reply> gatekeeper::limit(const principal& who) {
    const auto wait = limiter_.take(who.key, clock_.now());
    if (!wait)
        return std::nullopt;
    return rate_limited(*wait, "for this token");
}

} // namespace opel::service
