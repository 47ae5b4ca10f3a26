// Alerts and silences over HTTP. Reads come from the alerts table on the
// reader thread; acknowledgements and silences are engine changes, so they run
// as write jobs on the writer thread, where the engine lives, and are answered
// after their commit like any submission.
#include "http/alerts_api.hpp"

#include "http/audit_api.hpp"

#include "core/submission_parser.hpp"
#include "core/time.hpp"
#include "service/alerting.hpp"
#include "store/queries.hpp"

#include <boost/asio/post.hpp>
#include <boost/json.hpp>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

void alerts_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    store::alert_filter f;
    for (const auto& [key, value] : c.query) {
        if (key == "state" && (value == "open" || value == "all"))
            f.resolved = value == "all";
        else if (key == "since_seq" && parse_int(value) && *parse_int(value) >= 0)
            f.since_seq = *parse_int(value);
        else if (key == "inhibited" && (value == "true" || value == "false"))
            f.inhibited = value == "true";
        else
            return on_done(bad_param(key, key == "state"       ? "must be open or all."
                                          : key == "since_seq" ? "must be a seq number."
                                          : key == "inhibited" ? "must be true or false."
                                                               : "is not known here."));
    }
    auto& s = r.services();
    read_and_answer(s, on_done, [f](store::sqlite::db& db) {
        std::string list = "{\"alerts\":[";
        bool first = true;
        for (const auto& row : store::alert_rows(db, f)) {
            list += first ? "" : ",";
            list += row;
            first = false;
        }
        return reply{200, list + "]}", "application/json", {}};
    });
}

/// The note of an acknowledgement body (empty body: none); an error when bad.
std::variant<std::string, reply> ack_note(const request& req) {
    if (req.body().empty())
        return std::string();
    auto parsed = core::parse_json_object(req.body());
    if (auto* e = std::get_if<core::error>(&parsed))
        return error_reply(*e);
    const auto& o = std::get<boost::json::object>(parsed);
    std::string note;
    for (const auto& [key, value] : o) {
        if (key != "note")
            return error_reply(400, "unknown_field", "Only 'note' may be sent.", key);
        if (!value.is_string() || value.as_string().size() > 2000)
            return error_reply(422, "invalid_note", "The note must be text of at most 2000 "
                                                    "characters.", "note");
        note = value.as_string();
    }
    return note;
}

void alert_ack(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::reader, on_done);
    if (!who)
        return;
    const auto id = parse_int(c.params.at(0));
    if (!id)
        return on_done(error_reply(404, "not_found", "There is no alert " + c.params.at(0) + "."));
    auto note = ack_note(c.req);
    if (auto* bad = std::get_if<reply>(&note))
        return on_done(std::move(*bad));
    auto& s = r.services();
    const auto& text = std::get<std::string>(note);
    write_and_answer(s, std::move(on_done),
                     audited(*who, "alert.ack", std::to_string(*id),
                             [&s, id = *id, by = who->name,
                              note = text](store::transaction& tx,
                                           boost::json::object& detail) -> reply {
        if (!note.empty())
            detail["note"] = note;
        auto result = s.alerts.engine().acknowledge(id, by, note, tx.now());
        if (auto* why = std::get_if<std::string>(&result))
            return error_reply(404, "alert_not_open", *why);
        const auto& changes = std::get<std::vector<rules::alert_change>>(result);
        s.alerts.apply(tx, changes);
        const auto* now = s.alerts.engine().find(id);
        return service::json_reply(200, rules::to_json(now ? *now : changes.front().after));
    }));
}

} // namespace

void add_alert_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/alerts", [&r](call& c, done d) { alerts_get(r, c, std::move(d)); });
    r.add(bhttp::verb::post, "/v1/alerts/{}/ack",
          [&r](call& c, done d) { alert_ack(r, c, std::move(d)); });
    add_silence_routes(r);
}

} // namespace opel::http
