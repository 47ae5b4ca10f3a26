// Alerts over HTTP: the list, read from the alerts table on the reader
// thread, and acknowledgement, parsed here and done by the service layer
// (service/alert_actions.hpp).
#include "http/alerts_api.hpp"

#include "core/submission_parser.hpp"
#include "core/time.hpp"
#include "service/alert_actions.hpp"
#include "store/queries.hpp"

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

/// The most characters an acknowledgement's note may hold.
constexpr std::size_t max_ack_note_chars = 2000;

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
        if (!value.is_string() || core::code_points(value.as_string()) > max_ack_note_chars)
            return error_reply(422, "invalid_note", "The note must be text of at most 2000 "
                                                    "characters.", "note");
        note = value.as_string();
        if (auto e = core::check_control_characters(note, "note"))
            return error_reply(*e);
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
    service::acknowledge(r.services(), *who, *id, std::move(std::get<std::string>(note)),
                         std::move(on_done));
}

} // namespace

void add_alert_routes(router& r) {
    r.add(bhttp::verb::get, "/v1/alerts", [&r](call& c, done d) { alerts_get(r, c, std::move(d)); });
    r.add(bhttp::verb::post, "/v1/alerts/{}/ack",
          [&r](call& c, done d) { alert_ack(r, c, std::move(d)); });
    add_silence_routes(r);
}

} // namespace opel::http
