// Micro-benchmark of the writer transaction: what the store's one writer
// thread does for a submission that raises nothing (the submission row with
// its indexes and its status event), group-committed B at a time with
// synchronous=FULL, so every commit ends with the WAL's fsync. Batches are
// made exact by holding the writer in a maintenance job while B writes are
// queued behind it. Prints submissions/s and the time a commit takes per
// batch size; the database goes in a fresh directory under --dir (put it on
// the disk the daemon would use: tmpfs measures the CPU alone).
#include "core/clock.hpp"
#include "core/submission_parser.hpp"
#include "store/store.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

namespace {

/// A latch the bench waits on until `n` jobs have reported.
struct countdown {
    std::mutex m;
    std::condition_variable cv;
    std::size_t left = 0;
    std::size_t failed = 0;
    void done(bool ok) {
        std::lock_guard lock(m);
        failed += !ok;
        if (--left == 0)
            cv.notify_all();
    }
    void wait() {
        std::unique_lock lock(m);
        cv.wait(lock, [&] { return left == 0; });
    }
};

/// One batch of `subs` committed as one transaction; false if any failed.
bool commit_batch(opel::store::store& st, const std::vector<opel::core::submission>& subs,
                  const std::vector<std::string>& hashes, std::size_t first, std::size_t b) {
    countdown held, jobs;
    held.left = 1;
    jobs.left = b;
    std::mutex gate;
    std::unique_lock hold(gate);
    // The writer waits here, between transactions, until every job is queued.
    st.maintain([&gate](opel::store::sqlite::db&) { std::lock_guard wait(gate); });
    for (std::size_t i = first; i < first + b; ++i)
        st.write(
            [&subs, &hashes, i](opel::store::transaction& tx) {
                auto s = subs[i % subs.size()];
                s.received_at = s.reported_at = tx.now();
                s.id = tx.insert_submission(s, hashes[i % hashes.size()], false);
                tx.append_event("status." + s.practice,
                                R"({"id":)" + std::to_string(s.id) + R"(,"practice":")" +
                                    s.practice + R"(","level":)" + std::to_string(s.level) +
                                    R"(,"themes":[]})");
            },
            [&jobs](bool ok) { jobs.done(ok); });
    hold.unlock();
    jobs.wait();
    return jobs.failed == 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"writer_bench: the writer's transaction for one submission, per batch size"};
    std::string dir = ".";
    std::size_t total = 20000;
    std::vector<std::size_t> batches{1, 8, 64};
    app.add_option("--dir", dir, "where to create the database's directory");
    app.add_option("--count,-n", total, "submissions per batch size");
    app.add_option("--batch", batches, "batch sizes");
    CLI11_PARSE(app, argc, argv);

    std::string tmpl = (std::filesystem::path(dir) / "writer-bench.XXXXXX").string();
    if (!mkdtemp(tmpl.data())) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::filesystem::path db_dir(tmpl);
    std::vector<opel::core::submission> subs;
    std::vector<std::string> hashes;
    for (int p = 0; p < 6300; ++p) {
        opel::core::submission s;
        char code[8];
        std::snprintf(code, sizeof code, "P%05d", p);
        s.practice = code;
        s.level = p % 4 + 1;
        hashes.push_back(opel::core::content_hash(s));
        subs.push_back(std::move(s));
    }
    opel::core::system_clock clock;
    bool ok = true;
    {
        opel::store::store st(db_dir / "opeld.db", clock);
        st.start();
        std::size_t next = 0;
        for (const auto b : batches) {
            const std::size_t rounds = std::max<std::size_t>(1, total / b);
            const auto start = std::chrono::steady_clock::now();
            for (std::size_t r = 0; r < rounds; ++r, next += b)
                ok = commit_batch(st, subs, hashes, next, b) && ok;
            const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
            std::printf("batch %4zu: %8.0f submissions/s, %7.3f ms a commit, %6.1f us a "
                        "submission (%zu commits)\n",
                        b, double(rounds * b) / took.count(), took.count() * 1e3 / double(rounds),
                        took.count() * 1e6 / double(rounds * b), rounds);
        }
        st.stop();
    }
    std::filesystem::remove_all(db_dir);
    return ok ? 0 : 1;
}
