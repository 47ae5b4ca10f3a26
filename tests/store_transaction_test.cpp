// A transaction's deferred alert writes: only the group's last state of an
// alert is written, once, just before COMMIT; an alert written at once
// afterwards drops the deferred state, so an older state never lands last.
#include "store/store.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <future>

using namespace opel;

namespace {

/// A store in a directory of its own, started.
struct started_store {
    test::temp_dir dir;
    core::manual_clock clock{core::time_point{std::chrono::seconds{1'700'000'000}}};
    store::store st{dir.path() / "opeld.db", clock, 1000};
    started_store() { st.start(); }
};

/// One group of jobs, committed together; true when it committed.
bool commit_group(store::store& st, std::vector<store::store::write_job> jobs) {
    std::vector<std::future<bool>> done;
    for (auto& job : jobs) {
        auto p = std::make_shared<std::promise<bool>>();
        done.push_back(p->get_future());
        REQUIRE(st.write(std::move(job), [p](bool ok) { p->set_value(ok); }));
    }
    bool ok = true;
    for (auto& f : done)
        ok = f.get() && ok;
    return ok;
}

/// Alert 1's stored data and seq, or "none".
std::string row(store::store& st) {
    auto got = std::make_shared<std::promise<std::string>>();
    st.read([got](store::sqlite::db& db) {
        auto q = db.prepare("SELECT data, seq FROM alerts WHERE id = 1");
        got->set_value(q.step() ? q.text(0) + " " + std::to_string(q.int64(1)) : "none");
    });
    return got->get_future().get();
}

void put(store::transaction& tx, const std::string& data, std::int64_t seq) {
    tx.put_alert(1, "rule", "practice", "C82001", "firing", data, seq);
}

} // namespace

TEST_CASE("an alert's deferred writes in one group land once, the last one", "[store]") {
    started_store s;
    auto& st = s.st;
    int writes = 0;
    // One job defers two states, so both are surely in one transaction.
    REQUIRE(commit_group(st, {[&](store::transaction& tx) {
        put(tx, "notified", 7);
        tx.defer_alert(1, [&](store::transaction& t, bool) { ++writes, put(t, "evidence 1", 0); });
        tx.defer_alert(1, [&](store::transaction& t, bool) { ++writes, put(t, "evidence 2", 0); });
        CHECK(writes == 0); // nothing until the group ends
    }}));
    CHECK(writes == 1);
    // The deferred write keeps the seq of the change that notified.
    CHECK(row(st) == "evidence 2 7");
    st.stop();
}

TEST_CASE("an alert written as created replaces a stored row of its id all the same",
          "[store]") {
    // `created` only skips the first try at an update: a hint that is wrong
    // (a row of the id is there) still leaves the newest state, not an error.
    started_store s;
    auto& st = s.st;
    REQUIRE(commit_group(st, {[&](store::transaction& tx) {
        tx.put_alert(1, "rule", "practice", "C82001", "firing", "first", 3, true);
    }}));
    CHECK(row(st) == "first 3");
    REQUIRE(commit_group(st, {[&](store::transaction& tx) {
        // Texts that end with the call: the row must hold what they said.
        tx.put_alert(1, std::string("rule"), std::string("practice"), std::string("C82001"),
                     std::string("acknowledged"), std::string(2000, 'x') + " second", 0, true);
    }}));
    CHECK(row(st) == std::string(2000, 'x') + " second 3");
    st.stop();
}

TEST_CASE("an alert written at once after a deferred write drops the deferred one",
          "[store]") {
    started_store s;
    auto& st = s.st;
    REQUIRE(commit_group(st, {[&](store::transaction& tx) {
        tx.defer_alert(1, [](store::transaction& t, bool) { put(t, "older", 0); });
        tx.undefer_alert(1);
        put(tx, "newer", 9);
    }}));
    CHECK(row(st) == "newer 9");
    st.stop();
}

TEST_CASE("a group that fails writes none of its deferred alerts", "[store]") {
    started_store s;
    auto& st = s.st;
    CHECK_FALSE(commit_group(st, {[&](store::transaction& tx) {
        tx.defer_alert(1, [](store::transaction& t, bool) {
            put(t, "lost", 0);
            throw std::runtime_error("the disk said no");
        });
    }}));
    CHECK(row(st) == "none");
    st.stop();
}

TEST_CASE("a deferred alert write publishes when any state of the group was to be published",
          "[store]") {
    started_store s;
    auto& st = s.st;
    std::vector<bool> told;
    REQUIRE(commit_group(st, {[&](store::transaction& tx) {
        // A count that moved (published), then evidence added (not): the
        // last state is written, and published.
        tx.defer_alert(1, [&](store::transaction&, bool publish) { told.push_back(publish); },
                       true);
        tx.defer_alert(2, [&](store::transaction&, bool publish) { told.push_back(publish); });
        tx.defer_alert(1, [&](store::transaction& t, bool publish) {
            told.push_back(publish);
            put(t, "count moved, then evidence", 0);
        });
    }}));
    CHECK(told == std::vector<bool>{true, false});
    CHECK(row(st) == "count moved, then evidence 0");
    st.stop();
}
