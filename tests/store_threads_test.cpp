// The store's threads open nothing of their own: both connections are open
// (and have read the database once) when the constructor returns, so a
// process out of descriptors later cannot end on an exception thrown by a
// thread starting up. It did: the reader opened its connection on its own
// thread, after start() had returned, and a daemon that ran out of
// descriptors just then was terminated.
#include "store/store.hpp"

#include "support/descriptors.hpp"
#include "support/temp_dir.hpp"

#include <catch2/catch.hpp>

#include <future>

using namespace opel;

TEST_CASE("with no descriptor left after the store is made, it starts, writes and reads",
          "[store]") {
    test::temp_dir dir;
    core::manual_clock clock(core::time_point{std::chrono::seconds{1'700'000'000}});
    store::store st(dir.path() / "opeld.db", clock, 1000);
    test::descriptors_taken none_left;
    st.start();
    auto written = std::make_shared<std::promise<bool>>();
    const bool queued = st.write([](store::transaction& tx) { tx.append_event("test", "{}"); },
                                 [written](bool ok) { written->set_value(ok); });
    const bool committed = queued && written->get_future().get();
    auto read = std::make_shared<std::promise<std::int64_t>>();
    st.read([read](store::sqlite::db& db) {
        auto q = db.prepare("SELECT count(*) FROM events");
        q.step();
        read->set_value(q.int64(0));
    });
    const auto events = read->get_future().get();
    REQUIRE(none_left.give_back());
    CHECK(none_left.count() > 0);
    CHECK(committed);
    CHECK(events == 1);
    st.stop();
}
