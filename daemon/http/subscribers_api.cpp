// The visibility of webhooks: for each configured subscriber, what is waiting
// in the outbox and how the last attempts went, read from the outbox on the
// reader thread. Secrets are configuration and never leave it.
#include "http/subscribers_api.hpp"

#include "config/value_parsers.hpp"
#include "core/time.hpp"
#include "store/outbox.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::reply;

namespace {

boost::json::value time_or_null(std::optional<std::int64_t> us) {
    if (!us)
        return nullptr;
    return boost::json::string(core::format_time(core::time_point{std::chrono::microseconds{*us}}));
}

boost::json::object describe(const config::subscriber& sub, const store::outbox_standing& s,
                             core::time_point now) {
    boost::json::array audiences;
    for (const auto& a : sub.audiences)
        audiences.emplace_back(a);
    boost::json::value age = nullptr;
    if (s.oldest_pending)
        age = std::max<std::int64_t>(0, (now.time_since_epoch().count() - *s.oldest_pending) /
                                            1000000);
    return {{"name", sub.name},
            {"url", config::url_origin(sub.url)},
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
    s.store.read([&s, on_done, cfg = s.current->cfg](store::sqlite::db& db) {
        const auto now = s.clock.now();
        boost::json::array list;
        for (const auto& sub : cfg->subscribers)
            list.push_back(describe(sub, store::read_standing(db, sub.name), now));
        answer(s, on_done,
               service::json_reply(200, boost::json::object{{"subscribers", std::move(list)}}));
    });
}

} // namespace

void add_subscriber_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/subscribers",
          [&r](call& c, done d) { subscribers_get(r, c, std::move(d)); });
}

} // namespace opel::http
