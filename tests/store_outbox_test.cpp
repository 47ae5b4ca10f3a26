// The outbox's tables: pending rows only in `outbox`, given-up ones in
// `failed_deliveries`, a subscriber's last success and last error in
// `subscriber_standing`; and the migration that moved schema 5's single
// `deliveries` table into them.
#include "core/time.hpp"
#include "store/outbox.hpp"
#include "store/schema.hpp"
#include "store/store.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace opel;
using namespace std::chrono_literals;

namespace {

/// Runs `job` in a transaction of its own; true when it committed.
bool commit(store::store& st, store::store::write_job job) {
    auto p = std::make_shared<std::promise<bool>>();
    auto done = p->get_future();
    REQUIRE(st.write(std::move(job), [p](bool ok) { p->set_value(ok); }));
    return done.get();
}

/// What `look` returns, read on the store's reader.
template <class Look>
auto read(store::store& st, Look look) {
    auto p = std::make_shared<std::promise<decltype(look(std::declval<store::sqlite::db&>()))>>();
    auto got = p->get_future();
    st.read([p, look](store::sqlite::db& db) { p->set_value(look(db)); });
    return got.get();
}

store::outbox_standing standing(store::store& st, const std::string& subscriber) {
    return read(st, [subscriber](store::sqlite::db& db) {
        return store::read_standing(db, subscriber);
    });
}

std::vector<std::int64_t> pending(store::store& st, const std::string& subscriber) {
    return read(st, [subscriber](store::sqlite::db& db) {
        std::vector<std::int64_t> seqs;
        for (const auto& r : store::pending_rows(db, subscriber, 0, 100))
            seqs.push_back(r.seq);
        return seqs;
    });
}

/// Appends `n` events, each queued for `subscriber`.
void queue(store::store& st, const std::string& subscriber, int n) {
    REQUIRE(commit(st, [subscriber, n](store::transaction& tx) {
        for (int i = 0; i < n; ++i)
            store::queue_delivery(tx, subscriber, tx.append_event("alert.L4.practice.X", "{}"));
    }));
}

/// A store on a fresh file in a temporary directory, on a manual clock.
struct open_store {
    test::temp_dir dir;
    core::manual_clock clock{core::time_point{std::chrono::seconds{1'700'000'000}}};
    store::store st{dir.path() / "opeld.db", clock, 1000};
    open_store() { st.start(); }
};

} // namespace

TEST_CASE("a delivered POST leaves no outbox row, only the subscriber's last success",
          "[store][webhook]") {
    open_store o;
    auto& clock = o.clock;
    auto& st = o.st;
    queue(st, "feed", 3);
    CHECK(pending(st, "feed") == std::vector<std::int64_t>{1, 2, 3});
    clock.advance(5s);
    REQUIRE(commit(st, [](store::transaction& tx) { store::mark_delivered(tx, "feed", 1, 2); }));
    CHECK(pending(st, "feed") == std::vector<std::int64_t>{3});
    const auto s = standing(st, "feed");
    CHECK(s.pending == 1);
    CHECK(s.failed == 0);
    CHECK(s.last_success == core::to_micros(clock.now()));
    CHECK(s.oldest_pending == core::to_micros(clock.now() - 5s));
    CHECK_FALSE(s.last_error);
    CHECK(read(st, [](store::sqlite::db& db) { return store::last_delivery(db, "feed"); }) ==
          core::to_micros(clock.now()));
    st.stop();
}

TEST_CASE("failed attempts keep the row pending, then move it to the failed table",
          "[store][webhook]") {
    open_store o;
    auto& clock = o.clock;
    auto& st = o.st;
    const auto created = clock.now();
    queue(st, "feed", 4);
    const auto fail = [&](std::int64_t seq) {
        REQUIRE(commit(st, [seq](store::transaction& tx) {
            store::mark_attempt_failed(tx, "feed", seq, "HTTP 503", 2s, 24h);
        }));
    };
    clock.advance(1s);
    fail(2);
    fail(1);
    auto s = standing(st, "feed");
    CHECK(s.pending == 4);
    CHECK(s.last_error == "HTTP 503");
    CHECK(s.last_error_at == core::to_micros(clock.now()));
    CHECK(read(st, [](store::sqlite::db& db) { return store::failing_since(db, "feed"); }) ==
          created);
    auto rows =
        read(st, [](store::sqlite::db& db) { return store::pending_rows(db, "feed", 0, 1); });
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].attempts == 1);
    CHECK(rows[0].next_at == core::to_micros(clock.now() + 2s));
    CHECK_FALSE(rows[0].body.empty()); // the event's JSON, rebuilt from its row

    // A day after its event, a failure is the last: the row is failed.
    clock.advance(24h);
    fail(1);
    s = standing(st, "feed");
    CHECK(s.pending == 3);
    CHECK(s.failed == 1);
    CHECK(pending(st, "feed") == std::vector<std::int64_t>{2, 3, 4});

    // Given up keeping the earlier error: a row that had one leaves the
    // subscriber's as it is; one that had none shows why it was given up;
    // given up with a new error, it is the new one.
    const auto give_up = [&](std::int64_t seq, const std::string& why, bool keep) {
        REQUIRE(commit(st, [seq, why, keep](store::transaction& tx) {
            store::give_up_delivery(tx, "feed", seq, why, keep);
        }));
    };
    give_up(2, "not delivered within 24 hours", true);
    CHECK(standing(st, "feed").last_error == "HTTP 503");
    give_up(3, "not delivered within 24 hours", true);
    CHECK(standing(st, "feed").last_error == "not delivered within 24 hours");
    give_up(4, "HTTP 410", false);
    s = standing(st, "feed");
    CHECK(s.pending == 0);
    CHECK(s.failed == 4);
    CHECK(s.last_error == "HTTP 410");
    CHECK(s.last_error_at == core::to_micros(clock.now()));
    CHECK(read(st, [](store::sqlite::db& db) { return store::failing_since(db, "feed"); }) ==
          created);
    give_up(4, "given up twice", false); // no longer pending: nothing changes
    CHECK(standing(st, "feed").last_error == "HTTP 410");

    // Pruned once a week old.
    int pruned = 0;
    REQUIRE(commit(st, [&](store::transaction& tx) {
        pruned = store::prune_failed_deliveries(tx, created + 1s);
    }));
    CHECK(pruned == 4);
    CHECK(standing(st, "feed").failed == 0);
    st.stop();
}

TEST_CASE("a removed subscriber's pending rows are failed as 'subscriber removed'",
          "[store][webhook]") {
    open_store o;
    auto& clock = o.clock;
    auto& st = o.st;
    queue(st, "kept", 1);
    queue(st, "gone", 2);
    std::vector<std::string> dropped;
    REQUIRE(commit(st, [&](store::transaction& tx) {
        dropped = store::drop_removed_subscribers(tx.db(), {"kept"}, tx.now());
    }));
    CHECK(dropped == std::vector<std::string>{"gone"});
    const auto s = standing(st, "gone");
    CHECK(s.pending == 0);
    CHECK(s.failed == 2);
    CHECK(s.last_error == "subscriber removed");
    CHECK(standing(st, "kept").pending == 1);
    // A POST that was in flight then and succeeded after all: delivered,
    // not failed.
    REQUIRE(commit(st, [](store::transaction& tx) { store::mark_delivered(tx, "gone", 2, 3); }));
    CHECK(standing(st, "gone").failed == 0);
    CHECK(standing(st, "gone").last_success == core::to_micros(clock.now()));
    st.stop();

    // At start, outside any transaction, the same in one of its own.
    store::sqlite::db db(o.dir.path() / "opeld.db", false);
    CHECK(store::drop_removed_subscribers(db, {}, clock.now()) ==
          std::vector<std::string>{"kept"});
    CHECK(store::read_standing(db, "kept").failed == 1);
    CHECK(store::read_standing(db, "kept").pending == 0);
    db.exec("BEGIN IMMEDIATE; COMMIT"); // throws if a transaction were left open
}

TEST_CASE("schema 5's deliveries move to the outbox, the failed table and the standing",
          "[store][webhook]") {
    test::temp_dir dir;
    const auto path = dir.path() / "opeld.db";
    {
        store::sqlite::db db(path, true);
        store::open_schema(db, 5);
        db.exec("INSERT INTO deliveries (subscriber, seq, topic, body, created_at, next_at, "
                "attempts, state, last_error, error_at, delivered_at) VALUES "
                "('feed', 1, 't', '', 10, 10, 1, 'delivered', NULL, NULL, 100), "
                "('feed', 2, 't', '', 20, 20, 2, 'delivered', 'HTTP 503', 150, 200), "
                "('feed', 3, 't', '{\"kept\":true}', 30, 30, 0, 'pending', NULL, NULL, NULL), "
                "('gone', 4, 't', '', 40, 40, 3, 'failed', 'connect: refused', 45, NULL), "
                "('gone', 5, 't', '', 50, 50, 0, 'failed', 'subscriber removed', NULL, NULL)");
    }
    core::manual_clock clock(core::time_point{std::chrono::seconds{1'700'000'000}});
    store::store st(path, clock, 1000);
    st.start();
    auto s = standing(st, "feed");
    CHECK(s.pending == 1);
    CHECK(s.failed == 0);
    CHECK(s.last_success == 200);
    CHECK(s.last_error == "HTTP 503");
    CHECK(s.last_error_at == 150);
    const auto rows =
        read(st, [](store::sqlite::db& db) { return store::pending_rows(db, "feed", 0, 10); });
    REQUIRE(rows.size() == 1);
    CHECK(rows[0].seq == 3);
    CHECK(rows[0].body == "{\"kept\":true}");
    s = standing(st, "gone");
    CHECK(s.pending == 0);
    CHECK(s.failed == 2);
    CHECK_FALSE(s.last_success);
    CHECK(s.last_error == "connect: refused"); // the latest with a time
    CHECK(read(st, [](store::sqlite::db& db) {
              auto q = db.prepare("SELECT count(*) FROM sqlite_schema WHERE name = 'deliveries'");
              return q.step() ? q.int64(0) : -1;
          }) == 0);
    st.stop();
}
