// GET /v1/audit?since=&since_id=&limit=: the audit log, oldest first, for
// admin only. Pages like /v1/events: `next` is the since_id of the following
// page, null on the last.
#include "http/audit_api.hpp"

#include "core/time.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::reply;

namespace {

boost::json::object entry_json(const store::audit_entry& e) {
    boost::json::value detail;
    boost::system::error_code ec;
    detail = boost::json::parse(e.detail, ec);
    if (ec)
        detail = boost::json::object{};
    return {{"id", e.id},         {"at", core::format_time(e.at)}, {"actor", e.actor},
            {"role", e.role},     {"action", e.action},            {"target", e.target},
            {"status", e.status}, {"detail", std::move(detail)}};
}

void audit_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::admin, on_done))
        return;
    std::int64_t since_id = 0;
    std::optional<core::time_point> since;
    std::int64_t limit = 100;
    for (const auto& [key, value] : c.query) {
        if (key == "since_id" && parse_seq(value)) {
            since_id = *parse_seq(value);
        } else if (key == "since" && core::parse_time(value)) {
            since = core::parse_time(value);
        } else if (key == "limit" && parse_seq(value) && *parse_seq(value) >= 1) {
            limit = std::min(*parse_seq(value), max_page);
        } else {
            return on_done(bad_param(key, key == "since_id" ? "must be an audit entry id."
                                          : key == "since"  ? "must be an RFC 3339 time."
                                          : key == "limit"  ? "must be a positive integer."
                                                            : "is not known here."));
        }
    }
    auto& s = r.services();
    read_and_answer(s, on_done, [since_id, since, limit](store::sqlite::db& db) {
        const auto entries =
            store::audit_since(db, since_id, since, static_cast<std::size_t>(limit));
        boost::json::array list;
        for (const auto& e : entries)
            list.push_back(entry_json(e));
        boost::json::value next = nullptr;
        if (entries.size() == static_cast<std::size_t>(limit))
            next = entries.back().id;
        return service::json_reply(200, {{"entries", std::move(list)},
                                                     {"next", std::move(next)}});
    });
}

} // namespace

void add_audit_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/audit", [&r](call& c, done d) { audit_get(r, c, std::move(d)); });
}

} // namespace opel::http
