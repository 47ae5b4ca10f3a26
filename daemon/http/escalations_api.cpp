// Escalations to the system over HTTP: POST runs the use case on the writer
// thread (stored, published as escalation.system, queued for the control
// room's subscribers, audited, all in one transaction); GET lists a month's,
// in the configured zone, or with `latest=true` the one the wall shows.
#include "http/support_api.hpp"

#include "http/audit_api.hpp"

#include "service/summaries.hpp"
#include "service/support_desk.hpp"
#include "store/support.hpp"
#include "summary/monthly.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

void escalation_post(router& r, service::support_desk& desk, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    auto parsed = core::parse_escalation(c.req.body());
    if (const auto* e = std::get_if<core::error>(&parsed))
        return on_done(error_reply(*e));
    auto& s = r.services();
    write_and_answer(
        s, std::move(on_done),
        audited(*who, "escalation.create", "system",
                [&desk, d = s.deployment, who = *who, e = std::get<core::escalation>(parsed)](
                    store::transaction& tx, boost::json::object& detail) {
                    detail["title"] = e.title;
                    detail["level"] = e.level;
                    const auto o = desk.escalate(tx, *d, who, e);
                    if (const auto* err = std::get_if<core::error>(&o))
                        return error_reply(*err);
                    const auto& done_e = std::get<core::escalation>(o);
                    detail["id"] = done_e.id;
                    return service::json_reply(201, core::to_json(done_e));
                }));
}

/// `?month=YYYY-MM` (default: this month) or `?latest=true`.
struct escalation_query {
    date::year_month month{};
    bool latest = false;
};

std::variant<escalation_query, reply> read_query(const call& c, date::year_month_day today) {
    escalation_query q{today.year() / today.month(), false};
    for (const auto& [key, value] : c.query) {
        if (key == "month" && summary::parse_month(value))
            q.month = *summary::parse_month(value);
        else if (key == "latest" && (value == "true" || value == "false"))
            q.latest = value == "true";
        else
            return bad_param(key, key == "month"    ? "must be a month as YYYY-MM, e.g. 2022-12."
                                  : key == "latest" ? "must be true or false."
                                                    : "is not known here.");
    }
    return q;
}

void escalations_get(router& r, const service::summaries& sum, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    auto& s = r.services();
    auto parsed = read_query(c, sum.local_date(s.clock.now()));
    if (auto* bad = std::get_if<reply>(&parsed))
        return on_done(std::move(*bad));
    const auto q = std::get<escalation_query>(parsed);
    const auto bounds = summary::month_bounds(q.month, service::schedule_of(*s.deployment->cfg).tz);
    s.store.read([&s, q, bounds, on_done](store::sqlite::db& db) {
        reply out;
        try {
            std::vector<core::escalation> list;
            if (q.latest) {
                if (auto e = store::latest_escalation(db))
                    list.push_back(std::move(*e));
            } else {
                list = store::escalations_between(db, bounds.first, bounds.second);
            }
            boost::json::array a;
            for (const auto& e : list)
                a.push_back(core::to_json(e));
            out = service::json_reply(200, {{"escalations", std::move(a)}});
        } catch (const std::exception&) {
            out = error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        answer(s, on_done, std::move(out));
    });
}

} // namespace

void add_escalation_routes(router& r, service::support_desk& desk,
                           const service::summaries& summaries) {
    r.add(bhttp::verb::post, "/v1/escalations",
          [&r, &desk](call& c, done d) { escalation_post(r, desk, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/escalations",
          [&r, &summaries](call& c, done d) { escalations_get(r, summaries, c, std::move(d)); });
}

} // namespace opel::http
