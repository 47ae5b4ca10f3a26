// `opelctl tail`: follows the event feed, one line per event, over SSE
// (GET /v1/stream) or ZeroMQ (the PUB socket). It remembers the last seq it
// printed, so a dropped SSE connection resumes with Last-Event-ID and no
// event is shown twice or lost; over ZeroMQ, which has no replay, the start
// (--since-seq) and any gap in seq are filled from GET /v1/events.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "sse_parser.hpp"
#include "vocabulary.hpp"
#include "zmq_link.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>
#include <thread>

namespace opel::ctl {

namespace {

struct tail_args {
    std::string topic;
    long long since_seq = -1;
    std::string zmq_endpoint;
    long long count = 0;
    bool json = false;
    std::string format = "text";
};

/// "C82001 reported OPEL 3 Severe pressure: Workforce, IT systems" and the like:
/// what an event says, in the words of the dashboard.
std::string describe(const std::string& topic, const boost::json::value& d) {
    const auto level = [&](const boost::json::value& v) {
        return "OPEL " + level_label(field(v, "level"));
    };
    if (topic.starts_with("status.")) {
        auto out = cell(field(d, "practice")) + " reported " + level(d);
        if (const auto& t = field(d, "themes"); t.is_array() && !t.get_array().empty())
            out += ": " + words().themes(t);
        return out;
    }
    if (topic.starts_with("alert.")) {
        auto out = "alert " + cell(field(d, "id")) + " " + cell(field(d, "state")) + ", " +
                   level(d) + ": " + cell(field(d, "title"));
        if (const auto& by = field(d, "inhibited_by"); !by.is_null())
            out += " (covered by alert " + cell(by) + ")";
        return out;
    }
    if (topic == "summary.daily")
        return "daily summary " + cell(field(d, "date")) + ": system " +
               (field(field(d, "system"), "level").is_null() ? std::string("too few reporting")
                                                            : level(field(d, "system")));
    if (topic.starts_with("support."))
        return "support " + cell(field(d, "id")) + " for " + cell(field(d, "practice")) + ": " +
               cell(field(d, "action")) + " " + cell(field(d, "state"));
    if (topic.starts_with("escalation."))
        return "escalation to the system, " + level(d) + ": " + cell(field(d, "title"));
    return boost::json::serialize(d);
}

/// Thrown from inside the stream once --count events are printed.
struct enough {};

/// Prints events not seen yet and keeps the last seq.
class printer {
public:
    explicit printer(const tail_args& a) : a_(a), last_(a.since_seq) {}

    /// Prints `event_json` unless its seq is not after the last one.
    void show(const std::string& event_json) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(event_json, ec);
        const auto& seq = field(v, "seq");
        if (ec || !seq.is_int64() || seq.get_int64() <= last_)
            return;
        last_ = seq.get_int64();
        if (a_.format == "json")
            std::cout << event_json << "\n";
        else
            std::cout << last_ << "  " << short_time(field(v, "time")) << "  "
                      << cell(field(v, "topic")) << "  "
                      << describe(cell(field(v, "topic")), field(v, "data")) << "\n";
        std::cout.flush();
        if (a_.count > 0 && ++shown_ >= a_.count)
            throw enough{};
    }
    /// The last seq printed, or --since-seq, or -1.
    long long last() const { return last_; }

private:
    const tail_args& a_;
    long long last_;
    long long shown_ = 0;
};

/// One SSE connection: from after `p.last()` until the server drops it.
void follow_sse(http_call& call, const tail_args& a, printer& p) {
    std::vector<std::pair<std::string, std::string>> query;
    if (!a.topic.empty())
        query.emplace_back("topic", a.topic);
    header_list headers{{"Accept", "text/event-stream"}};
    if (p.last() >= 0)
        headers.emplace_back("Last-Event-ID", std::to_string(p.last()));
    sse_parser parser;
    call.stream(with_query("/v1/stream", query), headers, [&](std::string_view bytes) {
        for (const auto& e : parser.feed(bytes))
            p.show(e.data);
    });
}

int tail_sse(const tail_args& a, const connection& c) {
    http_call call(c);
    printer p(a);
    auto backoff = std::chrono::milliseconds(500);
    for (bool first = true;; first = false) {
        const auto before = p.last();
        try {
            follow_sse(call, a, p);
        } catch (const connect_error& e) {
            if (first)
                throw; // never reached the server at all: exit 3
            std::cerr << "opelctl: " << e.what() << "\n";
        }
        if (p.last() != before)
            backoff = std::chrono::milliseconds(500);
        std::cerr << "opelctl: the feed dropped; reconnecting in " << backoff.count() << " ms\n";
        std::this_thread::sleep_for(backoff);
        backoff = std::min(backoff * 2, std::chrono::milliseconds(30000));
    }
}

/// Prints the events after `p.last()` that /v1/events holds, up to seq `until` (exclusive).
void replay(http_call& call, const tail_args& a, printer& p, long long until) {
    for (;;) {
        const auto before = p.last();
        std::vector<std::pair<std::string, std::string>> query{
            {"since_seq", std::to_string(std::max(before, 0LL))}, {"limit", "1000"}};
        if (!a.topic.empty())
            query.emplace_back("topic", a.topic);
        const auto v = json_or_throw(call.get(with_query("/v1/events", query)));
        const auto& events = field(v, "events");
        if (!events.is_array())
            return;
        for (const auto& e : events.get_array())
            if (until < 0 || (field(e, "seq").is_int64() && field(e, "seq").get_int64() < until))
                p.show(boost::json::serialize(e));
        if (events.get_array().size() < 1000 || p.last() == before)
            return;
    }
}

int tail_zmq(const tail_args& a, const connection& c) {
    zmq_feed feed(a.zmq_endpoint, a.topic);
    http_call call(c);
    printer p(a);
    if (a.since_seq >= 0)
        replay(call, a, p, -1);
    for (;;) {
        const auto m = feed.next(std::chrono::milliseconds(1000));
        if (!m)
            continue;
        const auto seq = field(boost::json::parse(m->event), "seq");
        // With a topic filter, gaps in seq are other topics, not losses.
        if (a.topic.empty() && p.last() >= 0 && seq.is_int64() && seq.get_int64() > p.last() + 1)
            replay(call, a, p, seq.get_int64());
        p.show(m->event);
    }
}

/// Says on stderr when --since-seq N is beyond the last event (no event N
/// yet: a typo, or a database started afresh), since the feed would then
/// look quiet rather than wrong. Reads the vocabulary for text lines too.
void check_start(const tail_args& a, const connection& c) {
    http_call call(c);
    if (a.format != "json")
        load_words(call);
    if (a.since_seq < 1)
        return;
    const auto answer = call.get(with_query(
        "/v1/events", {{"since_seq", std::to_string(a.since_seq - 1)}, {"limit", "1"}}));
    if (answer.status != 200)
        return; // the feed itself will say why it is refused
    const auto& events = field(boost::json::parse(answer.body), "events");
    if (events.is_array() && events.get_array().empty())
        std::cerr << "opelctl: --since-seq " << a.since_seq
                  << " is beyond the last event (there is no event " << a.since_seq
                  << " yet); showing events after it as they come\n";
}

int run_tail(tail_args a, const global_options& g) {
    const auto c = resolve_connection(g);
    if (a.json)
        a.format = "json";
    try {
        check_start(a, c);
        return a.zmq_endpoint.empty() ? tail_sse(a, c) : tail_zmq(a, c);
    } catch (const enough&) {
        return exit_ok;
    }
}

} // namespace

void add_tail_command(CLI::App& app, const global_options& g, int& exit_code) {
    auto a = std::make_shared<tail_args>();
    auto* cmd = app.add_subcommand("tail", "Follow the event feed, one line per event");
    cmd->add_option("--topic", a->topic, "only topics starting with this, e.g. alert. or status.");
    cmd->add_option("--since-seq", a->since_seq,
                    "first replay every event after this seq (0: all), then follow")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--zmq", a->zmq_endpoint,
                    "follow the PUB socket at this endpoint instead of the SSE stream");
    cmd->add_option("-n,--count", a->count, "stop after this many events (default: never)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--format", a->format,
                    "text: one readable line per event (seq, time, topic, what happened); "
                    "json: each Event as its JSON line, for machines")
        ->check(CLI::IsMember({"text", "json"}));
    cmd->add_flag("--json", a->json, "the same as --format json");
    cmd->callback([a, &g, &exit_code] {
        exit_code = guarded([&] { return run_tail(*a, g); });
    });
}

} // namespace opel::ctl
