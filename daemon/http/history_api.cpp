// The history calls over HTTP: parse `days`, check who asks, and run the
// service's read on the store's reader thread. A `days` outside 1..400 is a
// bad query parameter (400), like any other out-of-range parameter here.
#include "http/history_api.hpp"

#include "service/history.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

/// `days` from the query (`fallback` when absent), or the reply refusing it.
std::variant<int, reply> read_days(const call& c, int fallback) {
    int days = fallback;
    for (const auto& [key, value] : c.query) {
        if (key != "days")
            return bad_param(key, "is not known here.");
        const auto n = parse_int(value);
        if (!n || *n < 1 || *n > service::max_history_days)
            return bad_param(key, "must be a whole number of days from 1 to " +
                                      std::to_string(service::max_history_days) + ".");
        days = static_cast<int>(*n);
    }
    return days;
}

/// Runs `build` on the reader thread and answers 200 with what it returns.
void read_json(router& r, done on_done,
               std::function<boost::json::object(store::sqlite::db&)> build) {
    auto& s = r.services();
    s.store.read([&s, on_done = std::move(on_done), build = std::move(build)](store::sqlite::db& db) {
        reply out;
        try {
            out = service::json_reply(200, build(db));
        } catch (const std::exception&) {
            out = error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        answer(s, on_done, std::move(out));
    });
}

void status_history_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    const auto days = read_days(c, 30);
    if (auto* bad = std::get_if<reply>(&days))
        return on_done(std::move(*bad));
    auto d = r.services().deployment;
    const auto now = r.services().clock.now();
    read_json(r, std::move(on_done), [d, now, n = std::get<int>(days)](store::sqlite::db& db) {
        return service::status_history(db, *d, now, n);
    });
}

void practice_history_get(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    const auto& code = c.params.at(0);
    // A practice asking about another gets 403 whether or not it exists.
    if (!service::can_read_all(who->role) && code != who->practice)
        return on_done(error_reply(403, "forbidden",
                                   "A practice token may read its own history only."));
    auto d = r.services().deployment;
    if (!d->find_practice(code))
        return on_done(error_reply(404, "unknown_practice",
                                   "There is no practice " + code + " in the practices file."));
    const auto days = read_days(c, 90);
    if (auto* bad = std::get_if<reply>(&days))
        return on_done(std::move(*bad));
    const auto now = r.services().clock.now();
    read_json(r, std::move(on_done), [d, code, now, n = std::get<int>(days)](store::sqlite::db& db) {
        return service::practice_history(db, *d, code, now, n);
    });
}

} // namespace

void add_history_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/status/history",
          [&r](call& c, done d) { status_history_get(r, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/practices/{}/history",
          [&r](call& c, done d) { practice_history_get(r, c, std::move(d)); });
}

} // namespace opel::http
