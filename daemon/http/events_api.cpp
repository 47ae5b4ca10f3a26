// GET /v1/events: replay of the event log from the store, for a subscriber
// that saw a gap in seq. Pages of at most 1,000; `next` is the since_seq of
// the following page, null on the last.
#include "http/events_api.hpp"

#include "store/queries.hpp"

namespace opel::http {

namespace bhttp = boost::beast::http;

namespace {

void events_get(router& r, call& c, done on_done) {
    if (!admit(r, c, access::reader, on_done))
        return;
    std::int64_t since = 0;
    std::int64_t limit = max_page;
    std::string topic;
    for (const auto& [key, value] : c.query) {
        if (key == "topic") {
            topic = value;
        } else if (key == "since_seq" && parse_seq(value)) {
            since = *parse_seq(value);
        } else if (key == "limit" && parse_seq(value) && *parse_seq(value) >= 1) {
            limit = std::min(*parse_seq(value), max_page);
        } else {
            return on_done(bad_param(key, key == "since_seq" ? "must be a seq number."
                                          : key == "limit"   ? "must be a positive integer."
                                                             : "is not known here."));
        }
    }
    auto& s = r.services();
    read_and_answer(s, on_done, [since, limit, topic](store::sqlite::db& db) {
        const auto events =
            store::events_since(db, since, topic, static_cast<std::size_t>(limit));
        std::string body = "{\"events\":[";
        for (std::size_t i = 0; i < events.size(); ++i)
            body += (i ? "," : "") + core::event_json(events[i]);
        body += "],\"next\":";
        body += events.size() == static_cast<std::size_t>(limit)
                    ? std::to_string(events.back().seq)
                    : std::string("null");
        return service::reply{200, body + "}", "application/json", {}};
    });
}

} // namespace

void add_event_routes(router& r, event_hub& hub, sse_limits limits) {
    r.add(bhttp::verb::get, "/v1/events", [&r](call& c, done d) { events_get(r, c, std::move(d)); });
    r.add_stream("/v1/stream",
                 [&r, &hub, limits](call& c, any_stream&& s, connection_slot&& slot) {
                     std::make_shared<sse_stream>(std::move(s), std::move(slot), r, hub, limits)
                         ->start(c);
                 });
}

} // namespace opel::http
