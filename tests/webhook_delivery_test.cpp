// Webhooks through the app: a real HTTP receiver on 127.0.0.1 records what
// the daemon posts, answers a scripted status per request and counts the
// connections it accepted. Retries are driven by the manual clock and
// run_timers(); waits are on the receiver's condition variable with a
// timeout, never sleeps.
#include "core/crypto.hpp"
#include "core/event.hpp"
#include "store/sqlite.hpp"
#include "support/webhook_receiver.hpp"
#include "webhook/exchange.hpp"

#include <optional>

using namespace opel::test;
using namespace opel::test::webhook_support;
using namespace std::chrono_literals;

TEST_CASE("a level-4 alert is posted as the Event JSON, signed", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(
        subscriber("team", r.url(), "primary_care_team", "    secret: s3cret\n")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    const auto got = r.requests().at(0);
    CHECK(got.target == "/hook");
    const auto events = c.get("/v1/events?topic=alert.", team_token).json().at("events");
    REQUIRE(events.as_array().size() == 1);
    CHECK(boost::json::parse(got.body) == events.as_array().at(0));
    CHECK(events.as_array().at(0).at("data").at("rule") == "practice-level-4");
    CHECK(got.signature == "sha256=" + opel::core::hmac_sha256_hex("s3cret", got.body));
    CHECK(got.seq_header == std::to_string(got.seq()));
    d.daemon().run_timers().wait();
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_success").is_string());
    CHECK(s.at("last_error").is_null());
    CHECK_FALSE(s.contains("secret"));
    CHECK(c.get("/v1/subscribers", practice_token).status == 403);
}

TEST_CASE("a subscriber's URL is shown as scheme, host and port only", "[webhook][secrets]") {
    receiver r;
    auto url = r.url() + "/T0K3N-in-path?key=q5ecret";
    const auto scheme = url.find("://");
    REQUIRE(scheme != std::string::npos);
    url.insert(scheme + 3, "hook-user:hook-pw-77@");
    test_daemon d(with_subscribers(subscriber("team", url, "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1)); // delivered all the same
    const auto body = c.get("/v1/subscribers", team_token).body;
    for (const auto* secret : {"hook-pw-77", "hook-user", "T0K3N", "q5ecret", "/hook"})
        CHECK(body.find(secret) == std::string::npos);
    CHECK(standing(c, "team").at("url").as_string() == "http://127.0.0.1:" + std::to_string(r.port()));
}

TEST_CASE("a webhook URL's credentials are sent as HTTP Basic", "[webhook][secrets]") {
    receiver r;
    auto url = r.url();
    url.insert(url.find("://") + 3, "hook-user:p%40ss@");
    test_daemon d(with_subscribers(subscriber("team", url, "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    // base64("hook-user:p@ss"): the password decoded from the URL.
    CHECK(r.requests().at(0).authorization == "Basic aG9vay11c2VyOnBAc3M=");
    CHECK(r.requests().at(0).host == "127.0.0.1:" + std::to_string(r.port()));
}

TEST_CASE("a control_room subscriber gets level-4 practice alerts, not level-3", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(subscriber("control", r.url(), "control_room")));
    auto c = d.client();
    submit(c, 3, "C82001"); // practice-level-3: primary_care_team only
    submit(c, 4, "C82002"); // practice-level-4: both
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    // Deliveries go in seq order, so a routed level-3 alert would have come first.
    const auto data = boost::json::parse(r.requests().at(0).body).at("data");
    CHECK(data.at("rule") == "practice-level-4");
    CHECK(data.at("subject") == "C82002");
    d.daemon().run_timers().wait();
    CHECK(standing(c, "control").at("pending") == 0);
}

TEST_CASE("a 503 is retried with backoff until a 200", "[webhook]") {
    receiver r({503, 503});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait(); // a barrier behind the failure being written
    auto s = standing(c, "team");
    CHECK(s.at("pending") == 1);
    CHECK(s.at("last_error") == "HTTP 503");
    CHECK(s.at("last_success").is_null());
    for (std::size_t n = 2; n <= 3; ++n) {
        d.daemon().run_timers().wait(); // the last failure is written before time moves
        d.clock().advance(10min);
        d.daemon().run_timers().wait();
        REQUIRE(r.wait_for(n));
    }
    d.daemon().run_timers().wait();
    const auto got = r.requests();
    REQUIRE(got.size() == 3);
    CHECK(got[0].body == got[1].body);
    CHECK(got[1].body == got[2].body);
    s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_success").is_string());
    CHECK(s.at("last_error") == "HTTP 503");
}

TEST_CASE("a retried delivery holds back the later ones: seq order", "[webhook]") {
    receiver r({503});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4, "C82001");
    submit(c, 4, "C82002");
    const auto pending = standing(c, "team").at("pending").as_int64();
    REQUIRE(pending >= 2);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    CHECK(r.requests().size() == 1); // nothing overtakes the one being retried
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1 + static_cast<std::size_t>(pending)));
    const auto got = r.requests();
    CHECK(got[0].seq() == got[1].seq());
    for (std::size_t i = 2; i < got.size(); ++i)
        CHECK(got[i].seq() > got[i - 1].seq());
}

namespace {

/// A daemon that left three or more deliveries pending for "team" at `r`,
/// whose answer to the first POST was a refusal, and then stopped; `pending`
/// says how many.
std::unique_ptr<test_daemon> stopped_with_pending_deliveries(receiver& r, std::int64_t& pending) {
    auto d = std::make_unique<test_daemon>(
        with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    {
        auto c = d->client();
        two_alerts_pending(c, "team");
        submit(c, 4, "C82003");
        d->daemon().run_timers().wait();
        REQUIRE(r.wait_for(1));
        d->daemon().run_timers().wait(); // the failure on disk
        pending = standing(c, "team").at("pending").as_int64();
    }
    REQUIRE(pending >= 3);
    d->stop();
    return d;
}

} // namespace

TEST_CASE("a delivery refused after a look read several holds back the rest: seq order",
          "[webhook]") {
    // The first daemon leaves three or more deliveries pending (its receiver
    // refuses the first). The second reads them in one look, sends the
    // first (200), then the second from memory (503): the third must not
    // overtake it.
    receiver r({503, 200, 503}, 503);
    std::int64_t pending = 0;
    auto first = stopped_with_pending_deliveries(r, pending);
    REQUIRE(r.requests().size() == 1);
    r.set_fallback(200);
    test_daemon second(*first, test_epoch() + 10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(3));
    second.daemon().run_timers().wait(); // the second's failure on disk
    second.daemon().run_timers().wait();
    CHECK(r.requests().size() == 3); // nothing overtakes the one refused
    second.clock().advance(10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2 + static_cast<std::size_t>(pending)));
    second.daemon().run_timers().wait();
    const auto got = r.requests();
    CHECK(got.size() == 2 + static_cast<std::size_t>(pending));
    CHECK(got[2].seq() == got[3].seq()); // the refused one again, first
    for (std::size_t i = 2; i < got.size(); ++i)
        if (i != 3)
            CHECK(got[i].seq() > got[i - 1].seq());
    auto c = second.client();
    CHECK(standing(c, "team").at("pending") == 0);
}

TEST_CASE("2xx answers that come while the writer is busy are marked by one write",
          "[webhook]") {
    // Three or more deliveries left pending by a first daemon; the second
    // sends them while its writer is held, so every delivered mark waits in
    // the queue: the first takes the later ones' rows instead of each
    // queueing its own write.
    receiver r({}, 503);
    std::int64_t pending = 0;
    auto first = stopped_with_pending_deliveries(r, pending);
    test_daemon second(*first, test_epoch() + 10min);
    auto& st = second.daemon().store();
    auto jobs = [&st] { return st.metrics().jobs.load(); };
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2)); // refused once more
    second.daemon().run_timers().wait(); // the failure on disk

    r.set_fallback(200);
    std::promise<void> answer;
    r.hold_answers(answer.get_future().share());
    second.clock().advance(1min); // due again; the failed rows' pruning (every 10) not
    const auto jobs_before = jobs();
    auto ticked = second.daemon().run_timers();
    REQUIRE(r.wait_for(3)); // the first delivery again, its answer held
    std::promise<void> release, inside;
    REQUIRE(st.write(
        [gate = release.get_future().share(), &inside](opel::store::transaction&) {
            inside.set_value();
            gate.wait();
        },
        {}));
    inside.get_future().wait();
    answer.set_value();
    REQUIRE(r.wait_for(2 + static_cast<std::size_t>(pending))); // all sent, the writer held
    release.set_value();
    ticked.wait();
    second.daemon().run_timers().wait();
    const auto window = jobs() - jobs_before;
    // What a tick writes by itself (the engine's and the summary's checks).
    const auto quiet = jobs();
    second.daemon().run_timers().wait();
    const auto per_tick = jobs() - quiet;
    CAPTURE(pending, per_tick, window);
    // Two ticks, the held job and one mark for every POST. The lane sends a
    // POST only once the answer before it is handled, so all but the last
    // answer extended the first mark while the writer was held; the last
    // may have come after the release, with a mark of its own.
    const auto marks = window - 2 * per_tick - 1;
    CHECK(marks >= 1);
    CHECK(marks <= 2);
    auto c = second.client();
    CHECK(standing(c, "team").at("pending") == 0);
    const auto got = r.requests();
    for (std::size_t i = 3; i < got.size(); ++i) // after the refused one, sent twice
        CHECK(got[i].seq() > got[i - 1].seq());
}

namespace {

/// A daemon that posted a level-4 alert to `r`, which refuses everything
/// (503), and then stopped: the delivery is pending on disk.
std::unique_ptr<test_daemon> stopped_with_a_pending_delivery(receiver& r) {
    r.set_fallback(503);
    auto d = std::make_unique<test_daemon>(
        with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    {
        auto c = d->client();
        submit(c, 4);
    }
    d->daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d->daemon().run_timers().wait();
    d->stop();
    return d;
}

} // namespace

TEST_CASE("pending deliveries resume after a restart", "[webhook]") {
    receiver r;
    auto first = stopped_with_a_pending_delivery(r);
    r.set_fallback(200);
    test_daemon second(*first, test_epoch() + 10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    const auto got = r.requests();
    CHECK(got[0].body == got[1].body);
    second.daemon().run_timers().wait();
    auto c = second.client();
    CHECK(standing(c, "team").at("pending") == 0);
}

TEST_CASE("the outbox keeps no copy of the body: it is the event's, sent byte for byte",
          "[webhook]") {
    receiver r;
    auto first = stopped_with_a_pending_delivery(r);
    {
        opel::store::sqlite::db db(first->dir() / "opeld.db", false, true);
        auto q = db.prepare("SELECT count(*), sum(length(body)) FROM outbox");
        REQUIRE(q.step());
        CHECK(q.int64(0) >= 1);
        CHECK(q.int64(1) == 0);
        // Raised for the empty bodies, so an older opeld refuses this file.
        auto v = db.prepare("PRAGMA user_version");
        REQUIRE(v.step());
        CHECK(v.int64(0) >= 4); // 4 brought empty bodies; later versions keep them
        auto e = db.prepare("SELECT seq, topic, time, data FROM events WHERE seq = ?1");
        e.bind(1, boost::json::parse(r.requests().at(0).body).at("seq").as_int64());
        REQUIRE(e.step());
        const opel::core::event ev{e.int64(0), e.text(1),
                                   opel::core::time_point{std::chrono::microseconds{e.int64(2)}},
                                   e.text(3)};
        CHECK(r.requests().at(0).body == opel::core::event_json(ev));
    }
    // A row that holds its body, as rows written before did, is sent as it is.
    {
        opel::store::sqlite::db db(first->dir() / "opeld.db", false);
        db.exec("UPDATE outbox SET body = '{\"kept\":true}'");
    }
    r.set_fallback(200);
    test_daemon second(*first, test_epoch() + 10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    CHECK(r.requests().at(1).body == R"({"kept":true})");
}

TEST_CASE("a delivery not made within 24 hours is marked failed", "[webhook]") {
    receiver r({}, 503);
    // A Friday, so the 25 hours end on a Saturday with no daily summary to send.
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")),
                  test_epoch() + 48h);
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    d.clock().advance(25h);
    d.daemon().run_timers().wait();
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("failed") == 1);
    CHECK(s.at("last_error") == "HTTP 503");
    CHECK(r.requests().size() == 1); // given up, not tried again
}

TEST_CASE("a stalled subscriber does not delay another", "[webhook]") {
    receiver live;
    // Listening but never accepting: the connection opens, no answer comes.
    boost::asio::io_context ioc;
    tcp::acceptor stalled(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const auto stalled_url =
        "http://127.0.0.1:" + std::to_string(stalled.local_endpoint().port()) + "/hook";
    test_daemon d(with_subscribers(subscriber("stalled", stalled_url, "primary_care_team") +
                                   subscriber("live", live.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4, "C82001");
    submit(c, 4, "C82002");
    const auto pending = standing(c, "live").at("pending").as_int64();
    // Not waited on: a tick waits for a lane busy with a POST, and the
    // stalled one stays busy until its 10-second response deadline.
    auto ticked = d.daemon().run_timers();
    // At most 5 s, half that deadline: a wait as long as the deadline raced
    // it, and the stalled POST could have failed before it was looked at.
    REQUIRE(live.wait_for(static_cast<std::size_t>(pending), std::chrono::seconds(5)));
    // Every live delivery arrived while the stalled subscriber's first POST
    // had no outcome yet: the live lane did not wait for it.
    const auto stuck = standing(c, "stalled");
    CHECK(stuck.at("pending").as_int64() >= 1);
    CHECK(stuck.at("last_error").is_null());
}

TEST_CASE("a refused connection is retried and reported", "[webhook]") {
    receiver live;
    const auto dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/hook";
    test_daemon d(with_subscribers(subscriber("dead", dead_url, "primary_care_team") +
                                   subscriber("live", live.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(live.wait_for(1));
    d.daemon().run_timers().wait();
    const auto dead = standing(c, "dead");
    CHECK(dead.at("pending").as_int64() >= 1);
    CHECK(dead.at("last_error").as_string().starts_with("connect"));
    CHECK(standing(c, "live").at("pending") == 0);
}

TEST_CASE("every subscriber gets the daily summary, whatever its alert filters", "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(subscriber("control", r.url(), "control_room",
                                              "    min_level: 4\n    topic_prefix: alert.L4.\n")));
    auto c = d.client();
    REQUIRE(c.post("/v1/summaries/daily?date=2026-11-25", "", admin_token).status == 201);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    CHECK(boost::json::parse(r.requests().at(0).body).at("topic") == "summary.daily");
}

TEST_CASE("a subscriber removed on reload has its pending deliveries dropped", "[webhook]") {
    receiver live;
    const auto dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/hook";
    const auto gone = subscriber("gone", dead_url, "primary_care_team");
    const auto kept = subscriber("kept", live.url(), "primary_care_team");
    test_daemon d(with_subscribers(gone + kept));
    auto c = d.client();
    submit(c, 4);
    REQUIRE(standing(c, "gone").at("pending").as_int64() >= 1);
    write_config(d.dir(), with_subscribers(kept));
    d.daemon().reload();
    // Two rounds: the reload's own write is queued behind the first.
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    REQUIRE(c.get("/v1/subscribers", team_token).json().at("subscribers").as_array().size() == 1);
    write_config(d.dir(), with_subscribers(kept + gone));
    d.daemon().reload();
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
    const auto s = standing(c, "gone");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("failed").as_int64() >= 1);
    CHECK(s.at("last_error") == "subscriber removed");
    REQUIRE(live.wait_for(1));
}

TEST_CASE("deliveries to a subscriber go one after another over one kept connection",
          "[webhook]") {
    receiver r;
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "team");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(pending));
    d.daemon().run_timers().wait();
    // A later tick sends over the same connection too.
    submit(c, 4, "C82003");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(pending + 1));
    CHECK(r.connections() == 1);
    d.daemon().run_timers().wait();
    CHECK(standing(c, "team").at("pending") == 0);
}

TEST_CASE("a peer's Connection: close is honoured: the next POST opens a new connection",
          "[webhook]") {
    receiver r;
    r.set_closing(); // and then it lingers: a POST sent on anyway would never be answered
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "team");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(pending));
    d.daemon().run_timers().wait();
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_error").is_null());
    // Counted once every delivery is made: a commit also starts the lane, so
    // one may have gone before `pending` was read, and its successor's
    // connection may be open before its request arrives.
    CHECK(r.connections() == r.requests().size());
    CHECK(r.requests().size() >= 2);
}

TEST_CASE("a kept connection the peer closed is reopened and the POST sent again at once",
          "[webhook]") {
    // The second request comes over the kept connection, which the peer
    // closes without answering: no failed attempt, the POST goes again.
    receiver r({200, receiver::drop});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "team");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(pending + 1));
    d.daemon().run_timers().wait();
    const auto got = r.requests();
    CHECK(got[1].seq() == got[2].seq());
    CHECK(got[2].seq() > got[0].seq());
    CHECK(r.connections() == 2);
    // No backoff was waited for (the clock never moved) and nothing failed.
    const auto s = standing(c, "team");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_error").is_null());
}

TEST_CASE("a kept connection is closed once idle for the limit", "[webhook]") {
    receiver r;
    boost::asio::io_context ioc;
    const auto to = std::get<opel::webhook::endpoint>(opel::webhook::parse_endpoint(r.url()));
    const auto post = [&](const std::shared_ptr<opel::webhook::connection>& conn) {
        std::optional<opel::webhook::outcome> got;
        std::make_shared<opel::webhook::exchange>(conn, "{}", std::map<std::string, std::string>{},
                                                  [&](opel::webhook::outcome o) { got = o; })
            ->start();
        while (!got)
            ioc.run_one();
        return got->ok;
    };
    // Idle for an hour at most: the second POST reuses the connection.
    auto kept = std::make_shared<opel::webhook::connection>(ioc.get_executor(), to, nullptr, 1h);
    REQUIRE(post(kept));
    CHECK(kept->reusable());
    REQUIRE(post(kept));
    CHECK(r.connections() == 1);
    kept->close();
    ioc.restart();
    ioc.run(); // nothing is left waiting: the idle timer went with close()
    // Idle for no time at all: the timer closes it before the next POST.
    auto brief = std::make_shared<opel::webhook::connection>(ioc.get_executor(), to, nullptr, 0ms);
    ioc.restart();
    REQUIRE(post(brief));
    ioc.run(); // the idle timer fires
    CHECK_FALSE(brief->reusable());
    ioc.restart();
    REQUIRE(post(brief));
    CHECK(r.connections() == 3);
}

namespace {

/// The Event JSON of each event in the log, by seq.
std::map<std::int64_t, boost::json::value> events_by_seq(http_client& c) {
    std::map<std::int64_t, boost::json::value> out;
    const auto events = c.get("/v1/events?since_seq=0", team_token).json().at("events");
    for (const auto& e : events.as_array())
        out[e.at("seq").as_int64()] = e;
    return out;
}

/// The seqs of every event in `posts`' batches, in the order they came.
std::vector<std::int64_t> batched_seqs(const std::vector<received>& posts) {
    std::vector<std::int64_t> seqs;
    for (const auto& p : posts)
        for (const auto& e : p.events())
            seqs.push_back(e.at("seq").as_int64());
    return seqs;
}

} // namespace

TEST_CASE("a batch subscriber gets what is pending in one POST, in seq order, signed whole",
          "[webhook][batch]") {
    receiver r({503});
    test_daemon d(with_subscribers(subscriber("feed", r.url(), "primary_care_team",
                                              "    secret: s3cret\n    batch: {max: 64}\n")));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "feed");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1)); // refused: every row stays pending
    d.daemon().run_timers().wait();
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    d.daemon().run_timers().wait();
    const auto got = r.requests();
    REQUIRE(got.size() == 2);
    const auto batch = got[1].events();
    REQUIRE(batch.size() == pending);
    // The refused POST's events come first again, then the rest, in seq order;
    // each is the event's JSON as /v1/events has it.
    const auto first = got[0].events();
    REQUIRE(first.size() >= 1);
    for (std::size_t i = 0; i < first.size(); ++i)
        CHECK(first[i] == batch[i]);
    const auto log = events_by_seq(c);
    for (std::size_t i = 0; i < batch.size(); ++i) {
        const auto seq = batch[i].at("seq").as_int64();
        if (i > 0)
            CHECK(seq > batch[i - 1].at("seq").as_int64());
        REQUIRE(log.contains(seq));
        CHECK(batch[i] == log.at(seq));
    }
    CHECK(got[1].signature == "sha256=" + opel::core::hmac_sha256_hex("s3cret", got[1].body));
    CHECK(got[1].seq_header == std::to_string(batch.back().at("seq").as_int64()));
    CHECK(got[1].count_header == std::to_string(pending));
    const auto s = standing(c, "feed");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_success").is_string());
    // One mark for the POST: the outbox keeps no row of the subscriber, and
    // its last success is recorded.
    opel::store::sqlite::db db(d.dir() / "opeld.db", false, true);
    auto q = db.prepare("SELECT count(*) FROM outbox WHERE subscriber = 'feed'");
    REQUIRE(q.step());
    CHECK(q.int64(0) == 0);
    auto last = db.prepare("SELECT delivered_at FROM subscriber_standing WHERE subscriber = "
                           "'feed'");
    REQUIRE(last.step());
    CHECK_FALSE(last.is_null(0));
}

TEST_CASE("a batch takes at most max events: the rest go in the next POSTs, in order",
          "[webhook][batch]") {
    receiver r({503});
    test_daemon d(with_subscribers(
        subscriber("feed", r.url(), "primary_care_team", "    batch: {max: 2}\n")));
    auto c = d.client();
    for (const auto* practice : {"C82001", "C82002", "C82003"})
        submit(c, 4, practice);
    const auto pending = static_cast<std::size_t>(standing(c, "feed").at("pending").as_int64());
    REQUIRE(pending >= 3);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    d.daemon().run_timers().wait();
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    const auto posts = (pending + 1) / 2;
    REQUIRE(r.wait_for(1 + posts));
    d.daemon().run_timers().wait();
    auto got = r.requests();
    REQUIRE(got.size() == 1 + posts);
    got.erase(got.begin()); // the refused one
    for (const auto& p : got) {
        CHECK(p.events().size() >= 1);
        CHECK(p.events().size() <= 2);
    }
    const auto seqs = batched_seqs(got);
    CHECK(seqs.size() == pending);
    for (std::size_t i = 1; i < seqs.size(); ++i)
        CHECK(seqs[i] > seqs[i - 1]);
    CHECK(standing(c, "feed").at("pending") == 0);
}

TEST_CASE("with a wait, a batch short of max waits until its oldest event is that old",
          "[webhook][batch]") {
    receiver r;
    test_daemon d(with_subscribers(
        subscriber("feed", r.url(), "primary_care_team", "    batch: {max: 64, wait: 30s}\n")));
    auto c = d.client();
    submit(c, 4);
    const auto pending = static_cast<std::size_t>(standing(c, "feed").at("pending").as_int64());
    REQUIRE(pending >= 1);
    d.daemon().run_timers().wait(); // a barrier behind the look: nothing due yet
    d.clock().advance(29s);
    d.daemon().run_timers().wait();
    CHECK(r.requests().empty());
    d.clock().advance(1s);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    CHECK(r.requests().at(0).events().size() == pending);
    d.daemon().run_timers().wait();
    CHECK(standing(c, "feed").at("pending") == 0);
}

TEST_CASE("a batch refused before a restart goes again after it, whole and in order",
          "[webhook][batch]") {
    receiver r({}, 503);
    std::size_t pending = 0;
    auto first = std::make_unique<test_daemon>(with_subscribers(
        subscriber("feed", r.url(), "primary_care_team", "    batch: {max: 64}\n")));
    {
        auto c = first->client();
        pending = two_alerts_pending(c, "feed");
    }
    first->daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    first->daemon().run_timers().wait(); // the failure on disk
    first->stop();
    const auto refused = r.requests().size();
    r.set_fallback(200);
    test_daemon second(*first, test_epoch() + 10min);
    second.daemon().run_timers().wait();
    REQUIRE(r.wait_for(refused + 1));
    second.daemon().run_timers().wait();
    const auto got = r.requests();
    // Every event the first daemon left pending, in one POST, in seq order.
    const auto batch = got.back().events();
    CHECK(batch.size() == pending);
    for (std::size_t i = 1; i < batch.size(); ++i)
        CHECK(batch[i].at("seq").as_int64() > batch[i - 1].at("seq").as_int64());
    CHECK(got.front().events().at(0) == batch.at(0)); // the refused one leads again
    auto c = second.client();
    CHECK(standing(c, "feed").at("pending") == 0);
}
