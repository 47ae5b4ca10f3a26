// The WAL stays bounded: after many commits the writer's TRUNCATE checkpoint
// (with journal_size_limit) keeps the -wal file near its limit instead of
// letting it grow with the write history.
#include "store/store.hpp"

#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <future>

using namespace opel;

namespace {

/// Queues `job` and waits for its commit.
bool commit(store::store& st, store::store::write_job job) {
    auto done = std::make_shared<std::promise<bool>>();
    auto f = done->get_future();
    REQUIRE(st.write(std::move(job), [done](bool ok) { done->set_value(ok); }));
    return f.get();
}

} // namespace

TEST_CASE("the WAL is checkpointed and cut back so it cannot grow without bound", "[store]") {
    test::temp_dir dir;
    core::manual_clock clock(core::time_point{std::chrono::seconds{1'700'000'000}});
    constexpr std::uint64_t limit = 256 * 1024;
    store::store st(dir.path() / "opeld.db", clock, 1000, store::wal_policy{limit});
    st.start();
    const auto wal = dir.path() / "opeld.db-wal";
    const std::string data(16 * 1024, 'x');
    std::uintmax_t largest = 0;
    // 400 commits of 16 KiB each: 6 MiB through the WAL, past SQLite's own
    // 1000-page autocheckpoint, which would leave a ~4 MiB file behind.
    for (int i = 0; i < 400; ++i) {
        REQUIRE(commit(st, [&](store::transaction& tx) { tx.append_event("test", data); }));
        // A reader between commits, as the reader thread has in service.
        auto read = std::make_shared<std::promise<std::int64_t>>();
        st.read([read](store::sqlite::db& db) {
            auto q = db.prepare("SELECT count(*) FROM events");
            q.step();
            read->set_value(q.int64(0));
        });
        CHECK(read->get_future().get() == i + 1);
        std::error_code ec;
        largest = std::max(largest, std::filesystem::file_size(wal, ec));
    }
    // The file may exceed the limit by at most the commit that crossed it.
    CHECK(largest <= limit + 64 * 1024);
    CHECK(st.metrics().checkpoints.load() > 0);
    CHECK(st.metrics().wal_bytes.load() <= static_cast<std::int64_t>(limit));
    st.stop();
}
