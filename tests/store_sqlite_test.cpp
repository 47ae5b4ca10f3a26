// The SQLite wrapper's statement cache: SQL run again and again is prepared
// once a connection, a lease starts clean, leases of one SQL can nest, and
// a lease ended part-way through a SELECT leaves no read snapshot behind
// (one would stop the WAL from being checkpointed).
#include "store/sqlite.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <sqlite3.h>

#include <filesystem>

using namespace opel::store;

namespace {

/// How many statements are prepared on the connection now.
int statements(const sqlite::db& db) {
    int n = 0;
    for (auto* s = sqlite3_next_stmt(db.handle(), nullptr); s; s = sqlite3_next_stmt(db.handle(), s))
        ++n;
    return n;
}

void fill(sqlite::db& db, int from, int to) {
    for (int i = from; i < to; ++i)
        db.cached("INSERT INTO t (n) VALUES (?1)")->bind(1, i).run();
}

} // namespace

TEST_CASE("a cached statement is prepared once and starts clean on each lease", "[store]") {
    opel::test::temp_dir dir;
    sqlite::db db(dir.path() / "t.db", true);
    db.exec("CREATE TABLE t (n INTEGER)");
    fill(db, 0, 10);
    CHECK(statements(db) == 1);
    for (int i = 0; i < 3; ++i) {
        auto st = db.cached("SELECT count(*) FROM t WHERE n >= ?1");
        if (i == 0)
            st->bind(1, 5);
        // The second and third leases see no binding left from the first:
        // NULL matches no row.
        REQUIRE(st->step());
        CHECK(st->int64(0) == (i == 0 ? 5 : 0));
    }
    CHECK(statements(db) == 2);
}

TEST_CASE("leases of the same SQL can nest", "[store]") {
    opel::test::temp_dir dir;
    sqlite::db db(dir.path() / "t.db", true);
    db.exec("CREATE TABLE t (n INTEGER)");
    fill(db, 0, 4);
    const std::string_view sql = "SELECT n FROM t WHERE n >= ?1 ORDER BY n";
    auto outer = db.cached(sql);
    outer->bind(1, 0);
    int pairs = 0;
    while (outer->step()) {
        auto inner = db.cached(sql);
        inner->bind(1, outer->int64(0));
        REQUIRE(inner->step());
        CHECK(inner->int64(0) == outer->int64(0));
        ++pairs;
    }
    CHECK(pairs == 4);
    // The inner lease went back to the cache for the next row each time.
    CHECK(statements(db) == 3);
}

TEST_CASE("a lease ended part-way through a SELECT holds no read snapshot", "[store]") {
    opel::test::temp_dir dir;
    const auto file = dir.path() / "t.db";
    sqlite::db writer(file, true);
    writer.exec("PRAGMA journal_mode=WAL; CREATE TABLE t (n INTEGER)");
    fill(writer, 0, 100);
    sqlite::db reader(file, false);
    {
        auto st = reader.cached("SELECT n FROM t ORDER BY n");
        REQUIRE(st->step()); // one row of a hundred read, then the lease ends
    }
    fill(writer, 100, 200);
    // A reader still on its snapshot would make the checkpoint stop short
    // and report itself blocked; none waits here.
    writer.busy_timeout(std::chrono::milliseconds(0));
    auto cp = writer.prepare("PRAGMA wal_checkpoint(TRUNCATE)");
    REQUIRE(cp.step());
    CHECK(cp.int64(0) == 0);
    CHECK(std::filesystem::file_size(dir.path() / "t.db-wal") == 0);
}
