// core/rate_limiter: bursts, refusals with the right wait, refill, per-key
// independence, reconfiguration and bounded memory.
#include "core/rate_limiter.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace opel::core;
using namespace std::chrono_literals;

namespace {

const time_point t0 = time_point{} + 1'000'000'000s;

} // namespace

TEST_CASE("a full bucket allows its burst, then refuses with the wait for one token",
          "[core][rate_limiter]") {
    rate_limiter limiter(1, 3);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK_FALSE(limiter.take("a", t0));
    CHECK_FALSE(limiter.take("a", t0));
    const auto wait = limiter.take("a", t0);
    REQUIRE(wait);
    CHECK(*wait == 1s);
}

TEST_CASE("a refused take consumes nothing", "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0) == std::chrono::microseconds(1s));
    CHECK(limiter.take("a", t0) == std::chrono::microseconds(1s));
    CHECK_FALSE(limiter.take("a", t0 + 1s));
}

TEST_CASE("the wait shrinks as the bucket refills", "[core][rate_limiter]") {
    rate_limiter limiter(2, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0 + 100ms) == std::chrono::microseconds(400ms));
    CHECK_FALSE(limiter.take("a", t0 + 500ms));
}

TEST_CASE("waits round up to whole microseconds", "[core][rate_limiter]") {
    rate_limiter limiter(3, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0) == 333'334us);
}

TEST_CASE("refill is capped at the burst", "[core][rate_limiter]") {
    rate_limiter limiter(10, 2);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK_FALSE(limiter.take("a", t0));
    const time_point later = t0 + 1h;
    CHECK_FALSE(limiter.take("a", later));
    CHECK_FALSE(limiter.take("a", later));
    CHECK(limiter.take("a", later));
}

TEST_CASE("rate 0 allows everything", "[core][rate_limiter]") {
    rate_limiter limiter(0, 0);
    for (int i = 0; i < 10'000; ++i)
        REQUIRE_FALSE(limiter.take("a", t0));
    CHECK(limiter.size() == 0);
}

TEST_CASE("keys have separate buckets", "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0));
    CHECK_FALSE(limiter.take("b", t0));
}

TEST_CASE("a burst below 1 still lets one request through", "[core][rate_limiter]") {
    rate_limiter limiter(5, 0);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0) == 200ms);
}

TEST_CASE("a clock that steps back grants nothing and breaks nothing", "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0 - 10s));
    CHECK_FALSE(limiter.take("a", t0 + 1s));
}

TEST_CASE("reconfigure caps held tokens at the new burst and applies the new rate",
          "[core][rate_limiter]") {
    rate_limiter limiter(1, 10);
    CHECK_FALSE(limiter.take("a", t0));
    limiter.reconfigure(4, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0) == 250ms);
}

TEST_CASE("reconfigure to rate 0 turns limiting off, and back on", "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    CHECK_FALSE(limiter.take("a", t0));
    CHECK(limiter.take("a", t0));
    limiter.reconfigure(0, 1);
    CHECK_FALSE(limiter.take("a", t0));
    limiter.reconfigure(1, 1);
    CHECK(limiter.take("a", t0));
}

TEST_CASE("a tiny rate gives a long but finite wait", "[core][rate_limiter]") {
    rate_limiter limiter(1e-300, 1);
    CHECK_FALSE(limiter.take("a", t0));
    const auto wait = limiter.take("a", t0);
    REQUIRE(wait);
    CHECK(*wait > 24h * 300);
}

TEST_CASE("buckets that have refilled are forgotten once many keys are held",
          "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    for (int i = 0; i < 5000; ++i)
        REQUIRE_FALSE(limiter.take("old" + std::to_string(i), t0));
    CHECK(limiter.size() == 5000);
    // Ten seconds on, every old bucket is full again: only the new keys matter.
    for (int i = 0; i < 5000; ++i)
        REQUIRE_FALSE(limiter.take("new" + std::to_string(i), t0 + 10s));
    CHECK(limiter.size() <= 5000);
}

TEST_CASE("pruning keeps buckets that are still draining", "[core][rate_limiter]") {
    rate_limiter limiter(1, 1);
    for (int i = 0; i < 5000; ++i)
        REQUIRE_FALSE(limiter.take("key" + std::to_string(i), t0 + 10s));
    REQUIRE_FALSE(limiter.take("busy", t0 + 20s));
    for (int i = 0; i < 5000; ++i)
        REQUIRE_FALSE(limiter.take("other" + std::to_string(i), t0 + 20s));
    CHECK(limiter.take("busy", t0 + 20s));
    CHECK(limiter.size() <= 5001);
}

TEST_CASE("expire forgets idle keys at once and keeps busy ones", "[core][rate_limiter]") {
    rate_limiter limiter(1, 2);
    for (int i = 0; i < 50; ++i)
        CHECK_FALSE(limiter.take("idle-" + std::to_string(i), t0));
    CHECK_FALSE(limiter.take("busy", t0 + 10s));
    CHECK_FALSE(limiter.take("busy", t0 + 10s));
    CHECK(limiter.size() == 51);
    limiter.expire(t0 + 10s);
    CHECK(limiter.size() == 1);
    // The one kept still remembers that it is empty.
    CHECK(limiter.take("busy", t0 + 10s));
}
