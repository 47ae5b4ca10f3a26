// POST /v1/import: history as NDJSON, one submission with `reported_at` per
// line. Each line is parsed and checked on the io thread exactly as a live
// report is (parse_submission for ingest_kind::import, check_references); a
// bad line is reported by its number and the rest carry on. The good lines go
// to the store in one write job, so a request lands whole or not at all, and
// the store's unique index keeps a line identical to one already imported
// from being stored twice, so re-sending a batch is safe. History is not
// news: it raises no alerts and publishes no events, but the rules engine
// (restore_submission) and /v1/status (practice_state) take it in, so later
// live reports are judged with it.
#include "http/summary_api.hpp"
#include "http/audit_api.hpp"

#include "core/submission_parser.hpp"
#include "service/alerting.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

/// A request's lines, sorted into those to store and those refused.
struct import_batch {
    std::vector<core::submission> good;
    boost::json::array rejected; ///< [{line, error, code, field?}]
};

/// What the write job did.
struct import_outcome {
    std::int64_t imported = 0;
    std::int64_t duplicates = 0;
    std::vector<core::submission> stored;
};

bool is_ndjson(std::string_view type) {
    const auto end = type.find(';');
    auto base = type.substr(0, end);
    while (!base.empty() && base.back() == ' ')
        base.remove_suffix(1);
    std::string lower(base);
    for (auto& ch : lower)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    return lower == "application/x-ndjson";
}

/// Parses one line; the error when it is refused.
std::variant<core::submission, core::error>
read_line(std::string_view line, const service::deployment& d, core::time_point now) {
    auto parsed = core::parse_submission(line, core::ingest_kind::import);
    if (auto* e = std::get_if<core::error>(&parsed)) return *e;
    auto s = std::move(std::get<core::parsed_submission>(parsed).value);
    auto bad = core::check_references(
        s, [&](std::string_view code) { return d.find_practice(code) != nullptr; },
        [&](std::string_view theme) { return d.cfg->rules->has_theme(std::string(theme)); });
    if (bad) return *bad;
    // A report dated ahead of the server would stand as the practice's latest
    // for as long as the clock takes to catch up: refused like any bad value.
    if (s.reported_at > now)
        return core::error{422, "reported_in_future",
                           "reported_at is later than the server's time now; history must be "
                           "in the past.",
                           "reported_at"};
    return s;
}

boost::json::object rejection(std::size_t number, const core::error& e) {
    boost::json::object o{{"line", number}, {"error", e.message}, {"code", e.code}};
    if (!e.field.empty()) o["field"] = e.field;
    return o;
}

/// Splits `body` into lines (LF or CRLF), numbered from 1; blank lines are
/// skipped but counted, so the numbers are the sender's.
import_batch read_body(std::string_view body, const service::deployment& d, core::time_point now) {
    import_batch b;
    std::size_t number = 0;
    while (!body.empty()) {
        const auto nl = body.find('\n');
        auto line = body.substr(0, nl);
        body.remove_prefix(nl == std::string_view::npos ? body.size() : nl + 1);
        ++number;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
        auto read = read_line(line, d, now);
        if (auto* e = std::get_if<core::error>(&read))
            b.rejected.push_back(rejection(number, *e));
        else
            b.good.push_back(std::move(std::get<core::submission>(read)));
    }
    return b;
}

void store_batch(service::services& s, const service::principal& who, import_batch b,
                 done on_done) {
    auto out = std::make_shared<import_outcome>();
    auto job = [&s, who, good = std::move(b.good), rejected = b.rejected.size(),
                out](store::transaction& tx) mutable {
        for (auto& sub : good) {
            sub.received_at = tx.now();
            sub.id = tx.insert_submission(sub, core::content_hash(sub), true);
            if (sub.id == 0) {
                ++out->duplicates;
                continue;
            }
            ++out->imported;
            s.alerts.engine().restore_submission(sub);
            out->stored.push_back(sub);
        }
        // No changes to write; this refreshes the engine's next deadline,
        // which history can move (a report that will go stale, say).
        s.alerts.apply(tx, {});
        record(tx, who, "import", "submissions", 200,
               {{"imported", out->imported},
                {"duplicates", out->duplicates},
                {"rejected", rejected}});
    };
    auto after = [&s, out, rejected = std::move(b.rejected), on_done](bool committed) {
        if (!committed)
            return answer(s, on_done,
                          error_reply(503, "store_unavailable", "Nothing was imported; retry."));
        for (const auto& sub : out->stored)
            s.state.record(sub);
        answer(s, on_done,
               service::json_reply(200, {{"imported", out->imported},
                                         {"duplicates", out->duplicates},
                                         {"rejected", rejected}}));
    };
    if (!s.store.write(std::move(job), std::move(after)))
        on_done(error_reply(503, "overloaded", "The daemon is at capacity; retry shortly."));
}

void import_post(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::admin, on_done);
    if (!who) return;
    if (!is_ndjson(c.req[bhttp::field::content_type]))
        return on_done(error_reply(415, "unsupported_media_type",
                                   "Send history as Content-Type: application/x-ndjson, one "
                                   "submission per line."));
    auto& s = r.services();
    store_batch(s, *who, read_body(c.req.body(), *s.current, s.clock.now()), std::move(on_done));
}

} // namespace

void add_import_routes(router& r) {
    // The one call allowed a larger body (the contract's 4 MiB); still
    // bounded, since the whole request is parsed and stored in one go.
    r.add(bhttp::verb::post, "/v1/import",
          [&r](call& c, done d) { import_post(r, c, std::move(d)); },
          {.body_limit = 4 * 1024 * 1024, .streaming = false});
}

} // namespace opel::http
