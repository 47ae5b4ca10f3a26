#pragma once
// The durable store: one SQLite file in WAL mode, one writer thread that
// group-commits every job waiting when a transaction starts, and one reader
// thread with its own connection so that reads never block the writer.

#include "core/clock.hpp"
#include "core/event.hpp"
#include "core/types.hpp"
#include "store/sqlite.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace opel::store {

struct statements;

/// What an earlier request with the same idempotency key was answered.
struct idempotent_answer {
    std::string content_hash;
    int status = 0;
    std::string body;
};

/// A write transaction, handed to each job in a group commit. Valid only
/// inside the job; every change lands or none does.
class transaction {
public:
    /// Stores a submission and returns its id; 0 when `imported` and an
    /// identical line is already stored.
    std::int64_t insert_submission(const core::submission& s, const std::string& content_hash,
                                   bool imported);
    /// The stored answer for (practice, key), if any.
    std::optional<idempotent_answer> find_idempotency(const std::string& practice,
                                                      const std::string& key);
    /// Remembers the answer for (practice, key).
    void put_idempotency(const std::string& practice, const std::string& key,
                         const idempotent_answer& answer);
    /// Appends an event with the next seq and the transaction's time.
    const core::event& append_event(std::string topic, std::string data);
    /// Inserts or replaces an alert row; `seq` is the event that published
    /// this change, or 0 to keep the row's last one. `created`: the alert is
    /// new, so its row is inserted without first trying to update one (a
    /// hint; a row that does exist is still replaced).
    void put_alert(std::int64_t id, const std::string& rule, const std::string& scope,
                   const std::string& subject, const std::string& state, const std::string& data,
                   std::int64_t seq, bool created = false);
    /// Inserts or replaces a silence row.
    void put_silence(std::int64_t id, const std::string& data, core::time_point ends_at,
                     bool expired);
    /// Inserts or replaces the summary of `date` (YYYY-MM-DD).
    void put_summary(const std::string& date, const std::string& data);
    /// Defers the write of alert `id`'s row to just before COMMIT, after
    /// every job of the group; a later call for the same alert replaces it.
    /// `publish` stays set once any call of the group set it, and the write
    /// is told so. An alert whose evidence or counts each report of a group
    /// moves is then rendered, written and published once a group, not once
    /// a report.
    using deferred_write = std::function<void(transaction&, bool publish)>;
    void defer_alert(std::int64_t id, deferred_write write, bool publish = false);
    /// Drops alert `id`'s deferred write, if any: the caller has just
    /// written a newer state of it.
    void undefer_alert(std::int64_t id);
    /// The connection, for statements this class does not wrap.
    sqlite::db& db() { return db_; }
    /// The time the transaction began (the clock's).
    core::time_point now() const { return now_; }

private:
    friend class store;
    transaction(sqlite::db& db, statements& st, std::int64_t next_seq, core::time_point now)
        : db_(db), st_(st), next_seq_(next_seq), now_(now) {}

    sqlite::db& db_;
    statements& st_;
    std::int64_t next_seq_;
    core::time_point now_;
    std::vector<core::event> events_;
    // Deferred alert writes by alert id, and the order the ids came in.
    struct deferred {
        deferred_write write;
        bool publish = false;
    };
    std::unordered_map<std::int64_t, deferred> deferred_;
    std::vector<std::int64_t> deferred_order_;
    void run_deferred();
};

/// Counters the store keeps for /metrics.
struct store_metrics {
    std::atomic<std::uint64_t> commits{0};
    std::atomic<std::uint64_t> commit_failures{0};
    std::atomic<std::uint64_t> jobs{0};
    std::atomic<std::int64_t> queue_depth{0};
    /// Commit latency histogram: bucket upper bounds in microseconds.
    static constexpr std::array<std::uint64_t, 12> bounds_us{
        100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000};
    std::array<std::atomic<std::uint64_t>, 13> commit_latency{};
    std::atomic<std::uint64_t> commit_latency_sum_us{0};
    /// 1 while writes succeed; 0 after a commit failed because the disk is
    /// full or the database read-only, until a commit succeeds again.
    std::atomic<int> writable{1};
    /// Commits refused by the storage (SQLITE_FULL, SQLITE_READONLY, I/O errors).
    std::atomic<std::uint64_t> storage_faults{0};
    /// WAL checkpoints completed by the store, and the WAL's size after the last commit.
    std::atomic<std::uint64_t> checkpoints{0};
    std::atomic<std::int64_t> wal_bytes{0};
};

/// How the writer keeps the WAL bounded.
struct wal_policy {
    /// After a commit that leaves the WAL file larger than this, the writer
    /// runs a TRUNCATE checkpoint once the batch is answered (it does not
    /// wait for readers: while one holds the old WAL, the next commit tries
    /// again). SQLite's own PASSIVE autocheckpoint (every
    /// 1000 pages) stays on underneath.
    std::uint64_t truncate_above = 64u << 20;
};

/// The store. Construct (opens and migrates), load what you need, then start().
class store {
public:
    /// A unit of work run inside a write transaction on the writer thread.
    using write_job = std::function<void(transaction&)>;
    /// Called on the writer thread after the commit (true) or its failure (false).
    using write_done = std::function<void(bool committed)>;
    /// Receives the events of each commit, in seq order, on the writer thread.
    using event_sink = std::function<void(std::vector<core::event>&&)>;
    /// Called on the writer thread after a failed commit, so in-memory state
    /// derived from the jobs can be rebuilt from disk.
    using rollback_hook = std::function<void()>;

    /// Opens (creating) the database at `path` and migrates it; throws on a
    /// database that is not ours or too new.
    store(const std::filesystem::path& path, const core::clock& clock,
          std::size_t max_queue = 100000, wal_policy wal = {});
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    /// Starts the writer and reader threads.
    void start();
    /// Finishes every queued job, then stops both threads.
    void stop();

    /// Queues a write; false (and nothing queued) when the queue is full.
    bool write(write_job job, write_done done);
    /// Runs `fn` on the writer thread with the write connection, between
    /// transactions (not inside one), in queue order with the writes; then
    /// `done` (if any) with whether it returned without throwing. For
    /// connection-level work: checkpoints, and fault injection in tests.
    bool maintain(std::function<void(sqlite::db&)> fn, write_done done = {});
    /// Runs `fn` on the reader thread with the read connection.
    void read(std::function<void(sqlite::db&)> fn);

    /// Where committed events go (set before start()).
    void on_events(event_sink sink) { sink_ = std::move(sink); }
    /// Called after a failed commit (set before start()).
    void on_rollback(rollback_hook hook) { rollback_ = std::move(hook); }

    /// The write connection, for loading state before start().
    sqlite::db& startup_db() { return *write_db_; }
    /// The highest seq stored.
    std::int64_t last_seq() const { return next_seq_ - 1; }
    /// When the database was created.
    core::time_point created_at() const { return created_at_; }
    /// Live counters.
    const store_metrics& metrics() const { return metrics_; }
    /// Why writes are failing (SQLite's message), or empty while they succeed.
    std::string fault() const;
    /// The database file.
    const std::filesystem::path& path() const { return path_; }

private:
    struct pending {
        write_job job;
        write_done done;
        std::function<void(sqlite::db&)> maintenance; ///< set: run outside a transaction
    };
    void writer_loop();
    void commit_batch(std::vector<pending>& batch);
    void run_maintenance(pending& p);
    void after_commit(bool ok, const std::string& why);
    void checkpoint_if_due();
    void reader_loop();

    const core::clock& clock_;
    std::filesystem::path path_;
    std::size_t max_queue_;
    wal_policy wal_;
    std::filesystem::path wal_path_;
    mutable std::mutex fault_mu_;
    std::string fault_;
    std::unique_ptr<sqlite::db> write_db_;
    std::unique_ptr<sqlite::db> read_db_; ///< the reader thread's, opened with write_db_
    std::unique_ptr<statements> st_;
    std::int64_t next_seq_ = 1;
    core::time_point created_at_{};
    event_sink sink_;
    rollback_hook rollback_;
    store_metrics metrics_;

    std::mutex write_mu_;
    std::condition_variable write_cv_;
    std::deque<pending> write_queue_;
    bool stopping_ = false;
    std::thread writer_;

    std::mutex read_mu_;
    std::condition_variable read_cv_;
    std::deque<std::function<void(sqlite::db&)>> read_queue_;
    bool read_stopping_ = false;
    std::thread reader_;
};

} // namespace opel::store
