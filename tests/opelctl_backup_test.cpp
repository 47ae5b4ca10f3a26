// `opelctl backup` against a daemon taking submissions all the while: the
// copy passes integrity_check, opens as an opeld database, holds every
// submission acknowledged before the backup began, and is internally
// consistent (each submission with its status event, seq without a gap).
#include "support/process.hpp"
#include "support/test_daemon.hpp"

#include "store/store.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>

using namespace opel::test;

namespace {

const std::string opelctl = std::string(OPEL_BINARY_DIR) + "/opelctl";

std::int64_t scalar(opel::store::sqlite::db& db, const std::string& sql) {
    auto st = db.prepare(sql);
    REQUIRE(st.step());
    return st.int64(0);
}

} // namespace

TEST_CASE("opelctl backup copies a live database consistently under submissions",
          "[opelctl][backup]") {
    test_daemon d;
    std::mutex mu;
    std::condition_variable grew;
    std::vector<std::int64_t> acked;
    std::atomic<bool> stop{false};
    std::atomic<int> failures{0};
    std::thread load([&] {
        try {
            auto c = d.client();
            for (int i = 0; !stop; ++i) {
                const auto a = c.post("/v1/submissions",
                                      R"({"practice":"C82001","level":)" +
                                          std::to_string(1 + i % 4) + "}",
                                      practice_token);
                if (a.status != 201) {
                    ++failures;
                    continue;
                }
                {
                    std::lock_guard lock(mu);
                    acked.push_back(a.json().at("id").as_int64());
                }
                grew.notify_one();
            }
        } catch (const std::exception&) {
            ++failures;
        }
        grew.notify_one();
    });
    struct joiner {
        std::atomic<bool>& stop;
        std::thread& t;
        ~joiner() {
            stop = true;
            if (t.joinable())
                t.join();
        }
    } join_on_exit{stop, load};
    // Wait for some history, by count; then everything acknowledged so far
    // must be in the backup, which runs while the load goes on.
    std::vector<std::int64_t> before;
    {
        std::unique_lock lock(mu);
        REQUIRE(grew.wait_for(lock, std::chrono::seconds(60),
                              [&] { return acked.size() >= 100 || failures > 0; }));
        REQUIRE(failures == 0);
        before = acked;
    }
    const auto file = d.dir() / "backup.db";
    const auto [code, err] = run_to_end({opelctl, "backup", file.string(), "--database",
                                         (d.dir() / "opeld.db").string()});
    std::size_t during = 0;
    {
        std::lock_guard lock(mu);
        during = acked.size();
    }
    stop = true;
    load.join();
    INFO(err);
    REQUIRE(code == 0);
    CHECK(failures == 0);
    CHECK(!std::filesystem::exists(file.string() + ".partial"));
    CHECK(!std::filesystem::exists(file.string() + "-wal"));

    {
        opel::store::sqlite::db copy(file, false, true);
        auto check = copy.prepare("PRAGMA integrity_check");
        REQUIRE(check.step());
        CHECK(check.text(0) == "ok");
        check.reset();
        // Every submission acknowledged before the backup began is in it.
        for (const auto id : before) {
            INFO(id);
            CHECK(scalar(copy, "SELECT count(*) FROM submissions WHERE id = " +
                                   std::to_string(id)) == 1);
        }
        CHECK(scalar(copy, "SELECT count(*) FROM submissions") >=
              static_cast<std::int64_t>(before.size()));
        CHECK(scalar(copy, "SELECT count(*) FROM submissions") <=
              static_cast<std::int64_t>(during) + 1);
        // One snapshot: seq gap-free, each submission with its status event.
        CHECK(scalar(copy, "SELECT count(*) FROM events") ==
              scalar(copy, "SELECT coalesce(max(seq), 0) FROM events"));
        CHECK(scalar(copy, "SELECT count(*) FROM submissions s WHERE NOT EXISTS (SELECT 1 "
                           "FROM events e WHERE e.topic = 'status.' || s.practice AND "
                           "json_extract(e.data, '$.id') = s.id)") == 0);
        CHECK(scalar(copy, "SELECT count(*) FROM events WHERE topic LIKE 'status.%'") ==
              scalar(copy, "SELECT count(*) FROM submissions"));
    }
    // And opeld itself accepts it as its own database.
    opel::core::manual_clock clock(test_epoch());
    CHECK_NOTHROW(opel::store::store(file, clock));
}

TEST_CASE("opelctl backup refuses a file that is not an opeld database", "[opelctl][backup]") {
    temp_dir dir;
    const auto source = dir.path() / "other.db";
    {
        opel::store::sqlite::db other(source, true);
        other.exec("CREATE TABLE t (x)");
    }
    const auto [code, err] =
        run_to_end({opelctl, "backup", (dir.path() / "b.db").string(), "--database",
                    source.string()});
    CHECK(code == 1);
    CHECK(err.find("not an opeld database") != std::string::npos);
    CHECK(!std::filesystem::exists(dir.path() / "b.db"));
    CHECK(run_to_end({opelctl, "backup", (dir.path() / "b.db").string(), "--database",
                      (dir.path() / "none.db").string()})
              .first == 2);
}
