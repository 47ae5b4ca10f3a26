// The visibility of webhooks: for each configured subscriber, what is waiting
// in the outbox and how the last attempts went, read from the deliveries
// table on the reader thread. Secrets are configuration and never leave it.
#include "http/subscribers_api.hpp"

#include "config/value_parsers.hpp"
#include "core/time.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::reply;

namespace {

/// What the outbox says about one subscriber.
struct standing {
    std::int64_t pending = 0;
    std::int64_t failed = 0;
    std::optional<std::int64_t> oldest_pending; ///< created_at, microseconds
    std::optional<std::int64_t> last_success;   ///< delivered_at, microseconds
    std::optional<std::string> last_error;
    std::optional<std::int64_t> last_error_at;
};

standing read_standing(store::sqlite::db& db, const std::string& name) {
    standing s;
    auto counts = db.prepare(
        "SELECT sum(state = 'pending'), sum(state = 'failed'), "
        "min(CASE WHEN state = 'pending' THEN created_at END), max(delivered_at) "
        "FROM deliveries WHERE subscriber = ?1");
    counts.bind(1, name);
    if (counts.step()) {
        s.pending = counts.is_null(0) ? 0 : counts.int64(0);
        s.failed = counts.is_null(1) ? 0 : counts.int64(1);
        if (!counts.is_null(2))
            s.oldest_pending = counts.int64(2);
        if (!counts.is_null(3))
            s.last_success = counts.int64(3);
    }
    auto error = db.prepare("SELECT last_error, error_at FROM deliveries WHERE subscriber = ?1 "
                            "AND last_error IS NOT NULL ORDER BY coalesce(error_at, 0) DESC, "
                            "seq DESC LIMIT 1");
    error.bind(1, name);
    if (error.step()) {
        s.last_error = error.text(0);
        if (!error.is_null(1))
            s.last_error_at = error.int64(1);
    }
    return s;
}

boost::json::value time_or_null(std::optional<std::int64_t> us) {
    if (!us)
        return nullptr;
    return boost::json::string(core::format_time(core::time_point{std::chrono::microseconds{*us}}));
}

boost::json::object describe(const config::subscriber& sub, const standing& s,
                             core::time_point now) {
    boost::json::array audiences;
    for (const auto& a : sub.audiences)
        audiences.emplace_back(a);
    boost::json::value age = nullptr;
    if (s.oldest_pending)
        age = std::max<std::int64_t>(0, (now.time_since_epoch().count() - *s.oldest_pending) /
                                            1000000);
    return {{"name", sub.name},
            {"url", config::redact_url_credentials(sub.url)},
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
    read_and_answer(s, on_done, [&s, cfg = s.current->cfg](store::sqlite::db& db) {
        const auto now = s.clock.now();
        boost::json::array list;
        for (const auto& sub : cfg->subscribers)
            list.push_back(describe(sub, read_standing(db, sub.name), now));
        return service::json_reply(200, boost::json::object{{"subscribers", std::move(list)}});
    });
}

} // namespace

void add_subscriber_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/subscribers",
          [&r](call& c, done d) { subscribers_get(r, c, std::move(d)); });
}

} // namespace opel::http
