// GET /v1/me over HTTP: any role may ask; it says nothing about anyone but
// the caller (service/me.cpp).
#include "http/me_api.hpp"

#include "service/me.hpp"

namespace opel::http {

namespace bhttp = boost::beast::http;

namespace {

void me_get(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    auto& s = r.services();
    s.store.read([&s, on_done, d = s.deployment, who = *who](store::sqlite::db& db) {
        service::reply out;
        try {
            out = service::json_reply(200, service::me(db, *d, who));
        } catch (const std::exception&) {
            out = service::error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        answer(s, on_done, std::move(out));
    });
}

} // namespace

void add_me_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/me", [&r](call& c, done d) { me_get(r, c, std::move(d)); });
}

} // namespace opel::http
