// POST /v1/import: history as NDJSON, one submission with `reported_at` per
// line; the use case is service/importer.hpp. Here: the role, the media type
// and the route's larger body limit.
#include "http/summary_api.hpp"
#include "http/audit_api.hpp"

#include "service/importer.hpp"

#include <boost/json.hpp>

#include <cctype>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::error_reply;
using service::reply;

namespace {

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

void import_post(router& r, call& c, done on_done) {
    const auto who = admit(r, c, access::admin, on_done);
    if (!who) return;
    if (!is_ndjson(c.req[bhttp::field::content_type]))
        return on_done(error_reply(415, "unsupported_media_type",
                                   "Send history as Content-Type: application/x-ndjson, one "
                                   "submission per line."));
    auto& s = r.services();
    service::import_history(s, *who, c.req.body(), std::move(on_done));
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
