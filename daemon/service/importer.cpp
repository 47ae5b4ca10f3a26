#include "service/importer.hpp"

#include "core/submission_parser.hpp"
#include "service/alerting.hpp"
#include "service/audit_trail.hpp"

#include <boost/json.hpp>

#include <memory>
#include <variant>
#include <vector>

namespace opel::service {

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

/// Parses one line; the error when it is refused.
std::variant<core::submission, core::error>
read_line(std::string_view line, const deployment& d, core::time_point now) {
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
import_batch read_body(std::string_view body, const deployment& d, core::time_point now) {
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

void store_batch(services& s, const principal& who, import_batch b, done on_done) {
    auto out = std::make_shared<import_outcome>();
    auto job = [&s, who, good = std::move(b.good), rejected = std::move(b.rejected),
                out](store::transaction& tx) mutable {
        for (auto& sub : good) {
            sub.received_at = tx.now();
            sub.id = tx.insert_submission(sub, core::content_hash(sub), true);
            if (sub.id == 0) {
                ++out->duplicates;
                continue;
            }
            ++out->imported;
            s.alerting.engine().restore_submission(sub);
            out->stored.push_back(sub);
        }
        // No changes to write; this refreshes the engine's next deadline,
        // which history can move (a report that will go stale, say).
        s.alerting.apply(tx, {});
        record(tx, who, "import", "submissions", 200,
               {{"imported", out->imported},
                {"duplicates", out->duplicates},
                {"rejected", rejected.size()}});
        return json_reply(200, {{"imported", out->imported},
                                {"duplicates", out->duplicates},
                                {"rejected", rejected}});
    };
    // /v1/status takes the history in once it is stored.
    auto after_commit = [&s, out] {
        for (const auto& sub : out->stored)
            s.state.record(sub);
    };
    write_and_answer(s, std::move(on_done), std::move(job), std::move(after_commit));
}

} // namespace

void import_history(services& s, const principal& who, std::string_view body, done on_done) {
    store_batch(s, who, read_body(body, *s.deployment, s.clock.now()), std::move(on_done));
}

} // namespace opel::service
