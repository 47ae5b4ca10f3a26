// Support items over HTTP: parse the body (core), run the use case on the
// writer thread (service::support_desk), audit it in the same transaction,
// answer. Lists are read on the reader thread; a practice token sees its own.
#include "http/support_api.hpp"

#include "http/audit_api.hpp"

#include "core/json_out.hpp"
#include "service/support_desk.hpp"
#include "store/support.hpp"

#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

/// The answer for a use case's outcome: `status` and the item, or the error.
template <typename T> reply outcome_reply(const service::outcome<T>& o, int status) {
    if (const auto* e = std::get_if<core::error>(&o))
        return error_reply(*e);
    return service::json_reply(status, core::to_json(std::get<T>(o)));
}

void support_post(router& r, service::support_desk& desk, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    auto parsed = core::parse_support_offer(c.req.body());
    if (const auto* e = std::get_if<core::error>(&parsed))
        return on_done(error_reply(*e));
    auto& s = r.services();
    const auto practice = c.params.at(0);
    write_and_answer(
        s, std::move(on_done),
        audited(*who, "support.offer", practice,
                [&desk, d = s.deployment, who = *who, practice,
                 offer = std::get<core::support_offer>(parsed)](store::transaction& tx,
                                                                boost::json::object& detail) {
                    detail["action"] = offer.action;
                    const auto o = desk.offer(tx, *d, who, practice, offer);
                    if (const auto* item = std::get_if<core::support_item>(&o))
                        detail["id"] = item->id;
                    return outcome_reply(o, 201);
                }));
}

void support_patch(router& r, service::support_desk& desk, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    const auto id = parse_int(c.params.at(0));
    if (!id)
        return on_done(error_reply(404, "not_found",
                                   "There is no support item " + c.params.at(0) + "."));
    auto parsed = core::parse_support_move(c.req.body());
    if (const auto* e = std::get_if<core::error>(&parsed))
        return on_done(error_reply(*e));
    const auto move = std::get<core::support_move>(parsed);
    write_and_answer(r.services(), std::move(on_done),
                     audited(*who, "support.move", std::to_string(*id),
                             [&desk, who = *who, id = *id, move](store::transaction& tx,
                                                                 boost::json::object& detail) {
                                 detail["state"] = core::state_name(move.to);
                                 if (!move.note.empty())
                                     detail["note"] = move.note;
                                 return outcome_reply(desk.move(tx, who, id, move), 200);
                             }));
}

void support_get(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::anyone, on_done);
    if (!who)
        return;
    store::support_filter f;
    for (const auto& [key, value] : c.query) {
        if (key == "practice")
            f.practice = value;
        else if (key == "state" && (value == "open" || value == "all"))
            f.open_only = value == "open";
        else
            return on_done(bad_param(key, key == "state" ? "must be open or all."
                                                         : "is not known here."));
    }
    if (!service::can_read_all(who->role)) {
        if (f.practice && *f.practice != who->practice)
            return on_done(error_reply(403, "forbidden",
                                       "A practice token may read its own support only.",
                                       "practice"));
        f.practice = who->practice;
    }
    auto& s = r.services();
    s.store.read([&s, f, on_done](store::sqlite::db& db) {
        reply out;
        try {
            boost::json::array list;
            for (const auto& item : store::list_support(db, f))
                list.push_back(core::to_json(item));
            out = service::json_reply(200, {{"support", std::move(list)}});
        } catch (const std::exception&) {
            out = error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        answer(s, on_done, std::move(out));
    });
}

/// The actions the team can offer, with the names pages show: every token
/// reads them, a practice's page included.
void actions_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::anyone, on_done))
        return;
    boost::json::array list;
    for (const auto& a : r.services().deployment->cfg->rules->support_actions)
        list.push_back({{"id", a.id}, {"name", a.name}});
    on_done(service::json_reply(200, {{"actions", std::move(list)}}));
}

} // namespace

void add_support_routes(router& r, service::support_desk& desk) {
    r.add(bhttp::verb::post, "/v1/practices/{}/support",
          [&r, &desk](call& c, done d) { support_post(r, desk, c, std::move(d)); });
    r.add(bhttp::verb::patch, "/v1/support/{}",
          [&r, &desk](call& c, done d) { support_patch(r, desk, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/support", [&r](call& c, done d) { support_get(r, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/support-actions",
          [&r](call& c, done d) { actions_get(r, c, std::move(d)); });
}

} // namespace opel::http
