// Silences over HTTP (beyond the contract; see docs/alerts.md): matchers on
// rule, scope and subject, a start and an end, who and a comment. Parsed
// here; added and ended by the service layer (service/alert_actions.hpp).
#include "http/alerts_api.hpp"
#include "http/audit_api.hpp"

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

/// Reads one text field of a silence body; false (and `bad` set) when wrong.
bool text_field(const boost::json::value& v, const std::string& key, std::string& out,
                std::optional<reply>& bad) {
    if (!v.is_string() || core::code_points(v.as_string()) > 500) {
        bad = error_reply(422, "invalid_field", key + " must be text of at most 500 characters.",
                          key);
        return false;
    }
    out = v.as_string();
    if (auto e = core::check_control_characters(out, key)) {
        bad = error_reply(*e);
        return false;
    }
    return true;
}

/// The silence a POST body describes, or the reason it does not.
std::variant<rules::silence, reply> read_silence(const std::string& body, core::time_point now) {
    auto parsed = core::parse_json_object(body);
    if (auto* e = std::get_if<core::error>(&parsed))
        return error_reply(*e);
    rules::silence s;
    s.starts_at = now;
    std::optional<reply> bad;
    bool has_end = false;
    for (const auto& [k, v] : std::get<boost::json::object>(parsed)) {
        const std::string key(k);
        if (key == "rule" || key == "scope" || key == "subject" || key == "comment") {
            auto& field = key == "rule" ? s.rule : key == "scope" ? s.scope
                        : key == "subject" ? s.subject : s.comment;
            if (!text_field(v, key, field, bad))
                return *bad;
        } else if (key == "starts_at" || key == "ends_at") {
            const auto t = v.is_string() ? core::parse_time(v.as_string()) : std::nullopt;
            if (!t)
                return error_reply(422, "invalid_time", key + " must be an RFC 3339 time.", key);
            (key == "starts_at" ? s.starts_at : s.ends_at) = *t;
            has_end = has_end || key == "ends_at";
        } else {
            return error_reply(400, "unknown_field", "Unknown field '" + key + "'.", key);
        }
    }
    if (!has_end || s.ends_at <= s.starts_at)
        return error_reply(422, "invalid_time", "ends_at is required and must be after starts_at.",
                           "ends_at");
    if (s.rule.empty() && s.scope.empty() && s.subject.empty())
        return error_reply(422, "no_matcher", "Give at least one of rule, scope or subject.",
                           "rule");
    return s;
}

void silence_post(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::reader, on_done);
    if (!who)
        return;
    auto& s = r.services();
    auto parsed = read_silence(c.req.body(), s.clock.now());
    if (auto* bad = std::get_if<reply>(&parsed))
        return on_done(std::move(*bad));
    auto silence = std::get<rules::silence>(parsed);
    silence.id = 0;
    silence.created_by = who->name;
    service::add_silence(s, *who, std::move(silence), std::move(on_done));
}

void silences_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    auto& s = r.services();
    read_and_answer(s, on_done, [now = s.clock.now()](store::sqlite::db& db) {
        std::string list = "{\"silences\":[";
        bool first = true;
        for (const auto& row : store::silence_rows(db, now)) {
            list += (first ? "" : ",") + row;
            first = false;
        }
        return reply{200, list + "]}", "application/json", {}};
    });
}

void silence_delete(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::reader, on_done);
    if (!who)
        return;
    const auto& text = c.params.at(0);
    const auto parsed = parse_int(text);
    if (!parsed)
        return on_done(error_reply(404, "not_found", "There is no silence " + text + "."));
    service::end_silence(r.services(), *who, *parsed, std::move(on_done));
}

} // namespace

void add_silence_routes(router& r) {
    r.add(bhttp::verb::post, "/v1/silences",
          [&r](call& c, done d) { silence_post(r, c, std::move(d)); });
    r.add(bhttp::verb::get, "/v1/silences",
          [&r](call& c, done d) { silences_get(r, c, std::move(d)); });
    r.add(bhttp::verb::delete_, "/v1/silences/{}",
          [&r](call& c, done d) { silence_delete(r, c, std::move(d)); });
}

} // namespace opel::http
