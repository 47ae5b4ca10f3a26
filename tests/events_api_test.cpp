// Integration tests of the event log: replay paging, the SSE stream's resume
// with no gap and no repeat, and the ZeroMQ PUB order.
#include "http/event_hub.hpp"
#include "support/log_capture.hpp"
#include "support/sse_client.hpp"
#include "support/test_daemon.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <future>
#include <thread>

using namespace opel::test;

namespace {

void submit(http_client& c, int level, const std::string& practice = "C82001") {
    REQUIRE(c.post("/v1/submissions",
                   R"({"practice":")" + practice + R"(","level":)" + std::to_string(level) + "}",
                   admin_token)
                .status == 201);
}

} // namespace

TEST_CASE("every accepted submission is an event with a gap-free seq", "[events]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 1, "C82002");
    submit(c, 4); // status, then the practice-level-4 alert it raised
    const auto events = c.get("/v1/events", team_token).json().at("events").as_array();
    REQUIRE(events.size() == 3);
    for (std::size_t i = 0; i < events.size(); ++i)
        CHECK(events[i].at("seq") == static_cast<std::int64_t>(i + 1));
    CHECK(events[0].at("topic") == "status.C82002");
    CHECK(events[1].at("topic") == "status.C82001");
    CHECK(events[2].at("topic") == "alert.L4.practice.C82001");
    CHECK(events[2].at("data").at("rule") == "practice-level-4");
}

TEST_CASE("a group alert moved by several reports of one commit is published once, last",
          "[events][rules]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 3, "C82001");
    submit(c, 3, "C82002"); // two of the PCN at 3: pcn-cluster fires
    const auto before = c.get("/v1/events", team_token).json().at("events").as_array().size();

    // The writer held inside a job, so the next two reports queue behind it
    // and are committed together.
    auto release = std::make_shared<std::promise<void>>();
    auto inside = std::make_shared<std::promise<void>>();
    REQUIRE(d.daemon().store().write(
        [gate = release->get_future().share(), inside](opel::store::transaction&) {
            inside->set_value();
            gate.wait();
        },
        {}));
    inside->get_future().wait();
    std::vector<std::future<int>> answers;
    for (const std::string practice : {"C82003", "C82004"})
        answers.push_back(std::async(std::launch::async, [&d, practice] {
            auto own = d.client();
            return own.post("/v1/submissions",
                            R"({"practice":")" + practice + R"(","level":3})", admin_token)
                .status;
        }));
    while (d.daemon().store().metrics().queue_depth.load() < 2)
        std::this_thread::yield(); // both reports queued behind the held job
    release->set_value();
    for (auto& a : answers)
        REQUIRE(a.get() == 201);

    const auto events = c.get("/v1/events", team_token).json().at("events").as_array();
    std::vector<std::string> topics;
    for (std::size_t i = before; i < events.size(); ++i)
        topics.emplace_back(events[i].at("topic").as_string());
    INFO(boost::json::serialize(boost::json::value_from(topics)));
    // Each report's status and its practice alert; the PCN alert, whose
    // count both moved, once, after both statuses, with both reports.
    const auto pcn = std::find_if(topics.begin(), topics.end(), [](const std::string& t) {
        return t.starts_with("alert.L3.pcn.");
    });
    REQUIRE(pcn != topics.end());
    CHECK(std::count_if(topics.begin(), topics.end(), [](const std::string& t) {
              return t.starts_with("alert.L3.pcn.");
          }) == 1);
    const auto last_status = std::find_if(topics.rbegin(), topics.rend(), [](const std::string& t) {
                                 return t.starts_with("status.");
                             }).base();
    CHECK(pcn >= last_status);
    const auto& data = events[before + static_cast<std::size_t>(pcn - topics.begin())].at("data");
    CHECK(data.at("evidence").as_array().size() == 4);
    CHECK(std::string(data.at("message").as_string()).find('4') != std::string::npos);
}

TEST_CASE("replay filters by topic prefix and pages with next", "[events]") {
    test_daemon d;
    auto c = d.client();
    for (int i = 0; i < 5; ++i)
        submit(c, 1);
    const auto first = c.get("/v1/events?limit=2&topic=status.", team_token).json();
    CHECK(first.at("events").as_array().size() == 2);
    CHECK(first.at("next") == 2);
    const auto rest = c.get("/v1/events?since_seq=2&limit=1000", team_token).json();
    CHECK(rest.at("events").as_array().size() == 3);
    CHECK(rest.at("next").is_null());
    CHECK(c.get("/v1/events?topic=alert.", team_token).json().at("events").as_array().empty());
    CHECK(c.get("/v1/events?since_seq=-1", team_token).status == 400);
    CHECK(c.get("/v1/events", practice_token).status == 403);
}

TEST_CASE("seq keeps rising across a restart", "[events][durability]") {
    auto first = std::make_unique<test_daemon>();
    {
        auto c = first->client();
        submit(c, 1);
        submit(c, 2);
    }
    first->stop();
    test_daemon second(*first, test_epoch() + std::chrono::minutes(1));
    auto c = second.client();
    submit(c, 1);
    const auto events = c.get("/v1/events", team_token).json().at("events").as_array();
    REQUIRE(events.size() == 3);
    CHECK(events[2].at("seq") == 3);
}

TEST_CASE("the SSE stream replays from since_seq, then goes live", "[events][sse]") {
    test_daemon d;
    auto c = d.client();
    submit(c, 1);
    submit(c, 2);
    sse_client s(d.port(), "/v1/stream?since_seq=1", team_token);
    CHECK(s.status_line().find("200") != std::string::npos);
    auto e = s.next();
    REQUIRE(e);
    CHECK(e->id == 2);
    CHECK(e->event == "status.C82001");
    CHECK(boost::json::parse(e->data).at("seq") == 2);
    submit(c, 1, "C82002");
    e = s.next();
    REQUIRE(e);
    CHECK(e->id == 3);
    CHECK(e->event == "status.C82002");
}

TEST_CASE("an SSE client resumes with Last-Event-ID with no gap and no repeat", "[events][sse]") {
    test_daemon d;
    auto c = d.client();
    std::vector<std::int64_t> seen;
    {
        sse_client s(d.port(), "/v1/stream?since_seq=0", team_token);
        submit(c, 1);
        submit(c, 1);
        for (int i = 0; i < 2; ++i) {
            auto e = s.next();
            REQUIRE(e);
            seen.push_back(e->id);
        }
    } // disconnects
    submit(c, 1);
    submit(c, 1);
    sse_client s(d.port(), "/v1/stream", team_token, std::to_string(seen.back()));
    for (int i = 0; i < 2; ++i) {
        auto e = s.next();
        REQUIRE(e);
        seen.push_back(e->id);
    }
    submit(c, 1);
    auto e = s.next();
    REQUIRE(e);
    seen.push_back(e->id);
    CHECK(seen == std::vector<std::int64_t>{1, 2, 3, 4, 5});
}

TEST_CASE("the SSE stream filters by topic and refuses bad requests", "[events][sse]") {
    test_daemon d;
    auto c = d.client();
    sse_client s(d.port(), "/v1/stream?topic=alert.&since_seq=0", team_token);
    submit(c, 1);
    submit(c, 4);
    auto e = s.next();
    REQUIRE(e);
    CHECK(e->event == "alert.L4.practice.C82001");
    CHECK(e->id == 3);
    CHECK(sse_client(d.port(), "/v1/stream", "bad").status_line().find("401") !=
          std::string::npos);
    CHECK(sse_client(d.port(), "/v1/stream", practice_token).status_line().find("403") !=
          std::string::npos);
    CHECK(sse_client(d.port(), "/v1/stream?since_seq=x", team_token).status_line().find("400") !=
          std::string::npos);
}

TEST_CASE("SSE clients get a clean close when the daemon stops", "[events][sse]") {
    test_daemon d;
    sse_client s(d.port(), "/v1/stream", team_token);
    d.stop();
    CHECK(s.closed_by_server());
}

TEST_CASE("ZeroMQ PUB delivers events in seq order with topic frames", "[events][zmq]") {
    test_daemon d;
    zmq::context_t ctx;
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::subscribe, "status.");
    sub.set(zmq::sockopt::rcvtimeo, 5000);
    sub.connect(d.daemon().zmq_publish_endpoint());
    auto c = d.client();
    // A subscription takes effect asynchronously: submit until the first
    // event arrives, then check that the rest follow in order.
    std::vector<zmq::message_t> frames;
    std::optional<std::int64_t> first;
    for (int i = 0; i < 100 && !first; ++i) {
        submit(c, 1);
        zmq::pollitem_t item{sub.handle(), 0, ZMQ_POLLIN, 0};
        if (zmq::poll(&item, 1, std::chrono::milliseconds(50)) > 0) {
            frames.clear();
            REQUIRE(zmq::recv_multipart(sub, std::back_inserter(frames)));
            first = boost::json::parse(frames.at(1).to_string()).at("seq").as_int64();
        }
    }
    REQUIRE(first);
    CHECK(frames.at(0).to_string() == "status.C82001");
    std::int64_t last = *first;
    for (int i = 0; i < 20; ++i)
        submit(c, 1);
    // Drain every event up to the last one submitted, in order.
    const auto last_seq = c.get("/v1/events?since_seq=0&limit=1000", team_token)
                              .json().at("events").as_array().back().at("seq").as_int64();
    while (last < last_seq) {
        frames.clear();
        REQUIRE(zmq::recv_multipart(sub, std::back_inserter(frames)));
        const auto seq = boost::json::parse(frames.at(1).to_string()).at("seq").as_int64();
        CHECK(seq == last + 1);
        last = seq;
    }
}

TEST_CASE("an SSE client that stops reading is cut off, and resumes without a gap",
          "[events][sse]") {
    test_daemon d({.sse_queue_limit = 16 * 1024});
    auto c = d.client();
    sse_client slow(d.port(), "/v1/stream?since_seq=0", team_token, {}, 4096);
    const auto clients = [&] {
        const auto m = c.get("/metrics").body;
        const auto at = m.find("\nopeld_sse_clients ");
        return std::stoi(m.substr(at + 19));
    };
    REQUIRE(clients() == 1);
    // Submit until the daemon gives up on the client that does not read; the
    // bound is what keeps this from buffering without end.
    int submitted = 0;
    while (clients() == 1 && submitted < 20000) {
        for (int i = 0; i < 50; ++i, ++submitted)
            submit(c, 1 + submitted % 2, "C82060");
    }
    REQUIRE(clients() == 0);
    // What it did receive is a gap-free prefix...
    std::int64_t last = 0;
    while (auto e = slow.next()) {
        CHECK(e->id == last + 1);
        last = e->id;
    }
    CHECK(last < submitted);
    // ...and a resume from there brings the rest, in order.
    sse_client again(d.port(), "/v1/stream", team_token, std::to_string(last));
    while (last < submitted) {
        auto e = again.next();
        REQUIRE(e);
        CHECK(e->id == last + 1);
        last = e->id;
    }
}

TEST_CASE("event streams count toward http.max_connections", "[events][sse][limits]") {
    log_capture logs;
    const scoped_log_level closes("http", spdlog::level::debug);
    test_daemon d({.http = "  max_connections: 3\n"});
    std::vector<std::unique_ptr<sse_client>> streams;
    for (int i = 0; i < 3; ++i) {
        streams.push_back(std::make_unique<sse_client>(d.port(), "/v1/stream", team_token));
        REQUIRE(streams.back()->status_line().find("200") != std::string::npos);
    }
    // Three streams hold three connections: a fourth is over the cap.
    auto fourth = d.client();
    CHECK(fourth.raw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").find("503") !=
          std::string::npos);
    // A stream that ends gives its place back, as soon as the daemon has seen it go.
    streams.pop_back();
    REQUIRE(logs.wait_for("event stream closed"));
    CHECK(d.client().get("/healthz").status == 200);
}

TEST_CASE("a stream whose client has gone is closed at once, not at a heartbeat",
          "[events][sse]") {
    log_capture logs;
    const scoped_log_level closes("http", spdlog::level::debug);
    test_daemon d;
    const auto& m = d.daemon().metrics();
    {
        sse_client gone(d.port(), "/v1/stream", team_token);
        REQUIRE(m.sse_clients == 1);
    }
    // Heartbeats come every 15 s; the close is seen when the socket reports
    // it, so the daemon says so well before the first.
    REQUIRE(logs.wait_for("event stream closed", 1, std::chrono::seconds(5)));
    CHECK(m.sse_clients == 0);
}

TEST_CASE("the hub makes each event's frame once and every stream shares it", "[events][sse]") {
    // Two hundred slow streams once held two hundred copies of every event;
    // now each holds a pointer to the one frame.
    struct recorder : opel::http::event_listener {
        std::vector<std::shared_ptr<const opel::http::live_event>> got;
        void on_event(const std::shared_ptr<const opel::http::live_event>& e) override {
            got.push_back(e);
        }
        void on_shutdown() override {}
    };
    opel::http::event_hub hub;
    const auto a = std::make_shared<recorder>();
    const auto b = std::make_shared<recorder>();
    hub.add(a);
    hub.add(b);
    opel::core::event e;
    e.seq = 7;
    e.topic = "status.C82001";
    e.data = R"({"n":1})";
    hub.publish({e});
    REQUIRE(a->got.size() == 1);
    REQUIRE(b->got.size() == 1);
    CHECK(a->got[0]->frame == b->got[0]->frame); // the same string, not an equal one
    CHECK(a->got[0]->event.seq == 7);
    CHECK(*a->got[0]->frame == "id: 7\nevent: status.C82001\ndata: " + opel::core::event_json(e) +
                                   "\n\n");
}
