// The visibility of subscribers (every kind) and their test call: for each configured subscriber, what is waiting
// in the outbox and how the last attempts went, read from the outbox on the
// reader thread. Secrets are configuration and never leave it.
#include "http/subscribers_api.hpp"
#include "http/audit_api.hpp"

#include "config/value_parsers.hpp"
#include "core/time.hpp"
#include "store/outbox.hpp"

#include <boost/url/decode_view.hpp>

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::reply;

namespace {

boost::json::value time_or_null(std::optional<std::int64_t> us) {
    if (!us)
        return nullptr;
    return boost::json::string(core::format_time(core::from_micros(*us)));
}

/// Where a subscriber's messages go, as the contract shows a URL: scheme,
/// host and port only.
std::string target_of(const config::subscriber& sub, const config::config& cfg) {
    switch (sub.kind) {
    case config::channel_kind::email:
        return cfg.smtp ? "smtp://" + cfg.smtp->host + ":" + std::to_string(cfg.smtp->port) : "";
    case config::channel_kind::notify:
        return config::url_origin(sub.base_url);
    default:
        return config::url_origin(sub.url);
    }
}

boost::json::object describe(const config::subscriber& sub, const config::config& cfg,
                             const store::outbox_standing& s, core::time_point now) {
    boost::json::array audiences;
    for (const auto& a : sub.audiences)
        audiences.emplace_back(a);
    boost::json::value age = nullptr;
    if (s.oldest_pending)
        age = std::max<std::int64_t>(0, (now.time_since_epoch().count() - *s.oldest_pending) /
                                            1000000);
    boost::json::array places;
    for (const auto& p : sub.places)
        places.emplace_back(p);
    const auto recipients = sub.kind == config::channel_kind::email    ? sub.to.size()
                            : sub.kind == config::channel_kind::notify ? sub.phone_numbers.size()
                                                                       : 0;
    return {{"name", sub.name},
            {"kind", config::kind_name(sub.kind)},
            {"target", target_of(sub, cfg)},
            {"recipients", recipients},
            {"places", std::move(places)},
            {"last_delivery", time_or_null(s.last_success)},
            {"last_failure", s.last_error ? boost::json::value(*s.last_error) : nullptr},
            {"url", sub.url.empty() ? boost::json::value(nullptr)
                                    : boost::json::value(config::url_origin(sub.url))},
            {"audiences", std::move(audiences)},
            {"min_level", sub.min_level},
            {"topic_prefix", sub.topic_prefix},
            {"signed", !sub.secret.empty()},
            {"pending", s.pending},
            {"failed", s.failed},
            {"oldest_pending_age_s", std::move(age)},
            {"last_success", time_or_null(s.last_success)},
            {"last_error", s.last_error ? boost::json::value(*s.last_error) : nullptr},
            {"last_error_at", time_or_null(s.last_error_at)}};
}

void subscribers_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    if (!c.query.empty())
        return on_done(bad_param(c.query.begin()->first, "is not known here."));
    auto& s = r.services();
    // The config in force now, so a reload shows at once.
    read_and_answer(s, on_done, [&s, cfg = s.deployment->cfg](store::sqlite::db& db) {
        const auto now = s.clock.now();
        boost::json::array list;
        for (const auto& sub : cfg->subscribers)
            list.push_back(describe(sub, *cfg, store::read_standing(db, sub.name), now));
        return service::json_reply(200, boost::json::object{{"subscribers", std::move(list)}});
    });
}

/// `POST /v1/subscribers/{name}/test`: a test message now, outside the
/// outbox; 200 with how it went (a failed send is the subscriber's
/// problem, not the caller's, so it is no 5xx).
void subscriber_test(router& r, webhook::sender& sender, call& c, done on_done) {
    const auto who = admit(r, c, access::admin, on_done);
    if (!who)
        return;
    if (!c.query.empty())
        return on_done(bad_param(c.query.begin()->first, "is not known here."));
    const boost::urls::decode_view decoded(c.params.at(0));
    const std::string name(decoded.begin(), decoded.end());
    auto& s = r.services();
    sender.send_test(name, [&s, on_done, name, who = *who](bool found, webhook::outcome o) {
        if (!found)
            return on_done(service::error_reply(404, "not_found",
                                                "There is no subscriber '" + name + "'."));
        boost::json::object out{{"name", name}, {"delivered", o.ok}};
        out["error"] = o.ok ? boost::json::value(nullptr) : boost::json::value(o.error);
        // A test reaches real people (a text to the on-call phone): the
        // audit log says who sent it and how it went.
        write_and_answer(s, on_done,
                         audited(who, "subscriber.test", name,
                                 [out](store::transaction&, boost::json::object& detail) {
                                     detail = out;
                                     detail.erase("name"); // the entry's target
                                     return service::json_reply(200, out);
                                 }));
    });
}

} // namespace

void add_subscriber_routes(router& r, webhook::sender& sender) {
    r.add(bhttp::verb::get, "/v1/subscribers",
          [&r](call& c, done d) { subscribers_get(r, c, std::move(d)); });
    r.add(bhttp::verb::post, "/v1/subscribers/{}/test", [&r, &sender](call& c, done d) {
        subscriber_test(r, sender, c, std::move(d));
    });
}

} // namespace opel::http
