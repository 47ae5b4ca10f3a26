// The store's threads and the write transaction. The writer takes every job
// queued when it wakes (group commit), runs them in one BEGIN IMMEDIATE ..
// COMMIT, and only then tells each job how it ended: with synchronous=FULL in
// WAL mode the COMMIT returns after the WAL is fsync'd, so no answer leaves
// before its data is on disk. Seq numbers are handed out inside the
// transaction and taken back if it fails, so the event log has no gaps.
#include "store/store.hpp"

#include "core/time.hpp"
#include "log/log.hpp"
#include "store/schema.hpp"

#include <boost/json.hpp>
#include <spdlog/logger.h>
#include <pthread.h>

namespace opel::store {

namespace {

std::string themes_json(const std::vector<std::string>& themes) {
    boost::json::array a;
    for (const auto& t : themes)
        a.emplace_back(t);
    return boost::json::serialize(a);
}

} // namespace

/// The writer's prepared statements, made once.
struct statements {
    explicit statements(sqlite::db& db)
        : insert_submission(db.prepare(
              "INSERT OR IGNORE INTO submissions (practice, level, themes, note, "
              "support_requested, idempotency_key, received_at, reported_at, imported, "
              "content_hash) VALUES (?,?,?,?,?,?,?,?,?,?)")),
          find_idempotency(db.prepare(
              "SELECT content_hash, status, body FROM idempotency WHERE practice = ? AND key = ?")),
          put_idempotency(db.prepare(
              "INSERT OR REPLACE INTO idempotency (practice, key, content_hash, status, body, "
              "created_at) VALUES (?,?,?,?,?,?)")),
          insert_event(db.prepare("INSERT INTO events (seq, topic, time, data) VALUES (?,?,?,?)")),
          put_alert(db.prepare(
              "INSERT INTO alerts (id, rule, scope, subject, state, data, updated_at, seq) "
              "VALUES (?1,?2,?3,?4,?5,?6,?7,?8) ON CONFLICT (id) DO UPDATE SET "
              "rule = ?2, scope = ?3, subject = ?4, state = ?5, data = ?6, updated_at = ?7, "
              "seq = CASE WHEN ?8 > 0 THEN ?8 ELSE seq END")),
          // An alert whose state stays (a group's count or evidence moved):
          // its row only, and the seq index only when a seq is given, not
          // the state index, which an UPDATE naming `state` rewrites.
          refresh_alert(db.prepare("UPDATE alerts SET data = ?2, updated_at = ?3, seq = ?4 "
                                   "WHERE id = ?1 AND state = ?5")),
          refresh_alert_keep_seq(db.prepare(
              "UPDATE alerts SET data = ?2, updated_at = ?3 WHERE id = ?1 AND state = ?5")),
          put_silence(db.prepare("INSERT OR REPLACE INTO silences (id, data, ends_at, expired) "
                                 "VALUES (?,?,?,?)")),
          put_summary(db.prepare(
              "INSERT OR REPLACE INTO summaries (date, data, generated_at) VALUES (?,?,?)")),
          begin(db.prepare("BEGIN IMMEDIATE")), commit(db.prepare("COMMIT")) {}

    sqlite::statement insert_submission;
    sqlite::statement find_idempotency;
    sqlite::statement put_idempotency;
    sqlite::statement insert_event;
    sqlite::statement put_alert;
    sqlite::statement refresh_alert;
    sqlite::statement refresh_alert_keep_seq;
    sqlite::statement put_silence;
    sqlite::statement put_summary;
    // A batch's own: prepared once, not parsed again for every commit.
    sqlite::statement begin;
    sqlite::statement commit;
};

std::int64_t transaction::insert_submission(const core::submission& s,
                                            const std::string& content_hash, bool imported) {
    auto& st = st_.insert_submission;
    st.bind(1, s.practice).bind(2, s.level).bind(3, themes_json(s.themes));
    st.bind(4, s.note).bind(5, s.support_requested).bind(6, s.idempotency_key);
    st.bind(7, core::to_micros(s.received_at)).bind(8, core::to_micros(s.reported_at));
    st.bind(9, imported ? 1 : 0).bind(10, content_hash);
    st.run();
    if (db_.changes() == 0)
        return 0;
    return db_.last_insert_rowid();
}

std::optional<idempotent_answer> transaction::find_idempotency(const std::string& practice,
                                                               const std::string& key) {
    auto& st = st_.find_idempotency;
    st.bind(1, practice).bind(2, key);
    std::optional<idempotent_answer> found;
    if (st.step())
        found = idempotent_answer{st.text(0), static_cast<int>(st.int64(1)), st.text(2)};
    st.reset();
    return found;
}

void transaction::put_idempotency(const std::string& practice, const std::string& key,
                                  const idempotent_answer& a) {
    auto& st = st_.put_idempotency;
    st.bind(1, practice).bind(2, key).bind(3, a.content_hash).bind(4, a.status);
    st.bind(5, a.body).bind(6, core::to_micros(now_));
    st.run();
}

const core::event& transaction::append_event(std::string topic, std::string data) {
    core::event e{next_seq_++, std::move(topic), now_, std::move(data)};
    auto& st = st_.insert_event;
    // e's texts live until run() has reset the statement: bound without a copy.
    st.bind(1, e.seq).bind_static(2, e.topic).bind(3, core::to_micros(e.time));
    st.bind_static(4, e.data);
    st.run();
    events_.push_back(std::move(e));
    return events_.back();
}

void transaction::put_alert(std::int64_t id, const std::string& rule, const std::string& scope,
                            const std::string& subject, const std::string& state,
                            const std::string& data, std::int64_t seq, bool created) {
    // The texts are the caller's and outlive each run(): bound without a copy.
    if (!created) {
        auto& refresh = seq > 0 ? st_.refresh_alert : st_.refresh_alert_keep_seq;
        refresh.bind(1, id).bind_static(2, data).bind(3, core::to_micros(now_));
        refresh.bind_static(5, state);
        if (seq > 0)
            refresh.bind(4, seq);
        refresh.run();
        if (db_.changes() > 0)
            return;
    }
    // A new alert, or one whose state moved.
    auto& st = st_.put_alert;
    st.bind(1, id).bind_static(2, rule).bind_static(3, scope).bind_static(4, subject);
    st.bind_static(5, state).bind_static(6, data);
    st.bind(7, core::to_micros(now_)).bind(8, seq);
    st.run();
}

void transaction::defer_alert(std::int64_t key, deferred_write write, bool publish) {
    auto [it, fresh] = deferred_.try_emplace(key);
    it->second.write = std::move(write);
    it->second.publish = it->second.publish || publish;
    if (fresh)
        deferred_order_.push_back(key);
}

void transaction::undefer_alert(std::int64_t key) { deferred_.erase(key); }

void transaction::run_deferred() {
    for (std::size_t i = 0; i < deferred_order_.size(); ++i) {
        const auto it = deferred_.find(deferred_order_[i]);
        if (it == deferred_.end())
            continue;
        auto d = std::move(it->second);
        deferred_.erase(it);
        d.write(*this, d.publish);
    }
    deferred_order_.clear();
}

void transaction::put_silence(std::int64_t id, const std::string& data, core::time_point ends_at,
                              bool expired) {
    auto& st = st_.put_silence;
    st.bind(1, id).bind(2, data).bind(3, core::to_micros(ends_at)).bind(4, expired ? 1 : 0);
    st.run();
}

void transaction::put_summary(const std::string& date, const std::string& data) {
    auto& st = st_.put_summary;
    st.bind(1, date).bind(2, data).bind(3, core::to_micros(now_));
    st.run();
}

store::store(const std::filesystem::path& path, const core::clock& clock, std::size_t max_queue,
             wal_policy wal)
    : clock_(clock), path_(path), max_queue_(max_queue), wal_(wal),
      wal_path_(path.string() + "-wal") {
    write_db_ = std::make_unique<sqlite::db>(path, true);
    try {
        open_schema(*write_db_);
    } catch (const std::exception& e) {
        throw std::runtime_error("database " + path.string() + ": " + e.what());
    }
    // When a checkpoint lets the WAL start over, cut the file back too, so a
    // burst does not leave a large WAL on disk for good.
    write_db_->exec("PRAGMA journal_size_limit = " + std::to_string(wal_.truncate_above));
    st_ = std::make_unique<statements>(*write_db_);
    {
        auto q = write_db_->prepare("SELECT coalesce(max(seq), 0) FROM events");
        q.step();
        next_seq_ = q.int64(0) + 1;
    }
    // The reader's connection too, here rather than on its thread: a failure
    // to open it (no descriptor left, say) is then an error of start-up, not
    // an exception on a thread that would end the process later.
    read_db_ = std::make_unique<sqlite::db>(path, false);
    set_pragmas(*read_db_);
    {
        // A first read opens what a WAL reader keeps open (the -wal and -shm).
        auto warm = read_db_->prepare("SELECT count(*) FROM meta");
        warm.step();
    }
    auto q = write_db_->prepare("SELECT value FROM meta WHERE key = 'created_at'");
    if (q.step()) {
        created_at_ = core::from_micros(std::stoll(q.text(0)));
    } else {
        created_at_ = clock_.now();
        auto ins = write_db_->prepare("INSERT INTO meta (key, value) VALUES ('created_at', ?)");
        ins.bind(1, std::to_string(core::to_micros(created_at_))).run();
    }
}

store::~store() { stop(); }

void store::start() {
    // Named, so that top -H, perf and /proc tell the threads apart; named
    // here, before start() returns, so the names are there by READY=1.
    writer_ = std::thread([this] { writer_loop(); });
    pthread_setname_np(writer_.native_handle(), "opeld-writer");
    reader_ = std::thread([this] { reader_loop(); });
    pthread_setname_np(reader_.native_handle(), "opeld-reader");
}

void store::stop() {
    {
        std::lock_guard lock(write_mu_);
        stopping_ = true;
    }
    write_cv_.notify_all();
    if (writer_.joinable())
        writer_.join();
    {
        std::lock_guard lock(read_mu_);
        read_stopping_ = true;
    }
    read_cv_.notify_all();
    if (reader_.joinable())
        reader_.join();
}

bool store::write(write_job job, write_done done) {
    {
        std::lock_guard lock(write_mu_);
        if (stopping_ || write_queue_.size() >= max_queue_)
            return false;
        write_queue_.push_back({std::move(job), std::move(done), {}});
        metrics_.queue_depth.store(static_cast<std::int64_t>(write_queue_.size()));
    }
    write_cv_.notify_one();
    return true;
}

bool store::maintain(std::function<void(sqlite::db&)> fn, write_done done) {
    {
        std::lock_guard lock(write_mu_);
        if (stopping_)
            return false;
        write_queue_.push_back({{}, std::move(done), std::move(fn)});
        metrics_.queue_depth.store(static_cast<std::int64_t>(write_queue_.size()));
    }
    write_cv_.notify_one();
    return true;
}

std::string store::fault() const {
    std::lock_guard lock(fault_mu_);
    return fault_;
}

void store::read(std::function<void(sqlite::db&)> fn) {
    {
        std::lock_guard lock(read_mu_);
        read_queue_.push_back(std::move(fn));
    }
    read_cv_.notify_one();
}

void store::writer_loop() {
    std::vector<pending> batch;
    for (;;) {
        {
            std::unique_lock lock(write_mu_);
            write_cv_.wait(lock, [&] { return stopping_ || !write_queue_.empty(); });
            if (write_queue_.empty())
                return; // stopping, and nothing left to commit
            // Bound the batch so one transaction's latency stays bounded too.
            // A maintenance job runs alone, in its place in the queue.
            const std::size_t n = std::min<std::size_t>(write_queue_.size(), 4096);
            for (std::size_t i = 0; i < n; ++i) {
                const bool maintenance = static_cast<bool>(write_queue_.front().maintenance);
                if (maintenance && !batch.empty())
                    break;
                batch.push_back(std::move(write_queue_.front()));
                write_queue_.pop_front();
                if (maintenance)
                    break;
            }
            metrics_.queue_depth.store(static_cast<std::int64_t>(write_queue_.size()));
        }
        if (batch.front().maintenance)
            run_maintenance(batch.front());
        else
            commit_batch(batch);
        batch.clear();
    }
}

void store::run_maintenance(pending& p) {
    bool ok = true;
    try {
        p.maintenance(*write_db_);
    } catch (const std::exception& e) {
        ok = false;
        log::of<"store">()->warn("maintenance on the write connection failed: {}", e.what());
    }
    if (p.done)
        p.done(ok);
}

void store::after_commit(bool ok, const std::string& why) {
    if (ok) {
        if (metrics_.writable.exchange(1) == 0) {
            log::of<"store">()->warn("the database accepts writes again; ingest has resumed");
            std::lock_guard lock(fault_mu_);
            fault_.clear();
        }
        return;
    }
    ++metrics_.storage_faults;
    {
        std::lock_guard lock(fault_mu_);
        fault_ = why;
    }
    if (metrics_.writable.exchange(0) == 1)
        log::of<"store">()->error("the database refuses writes ({}); submissions are answered 503 "
                                  "until a write succeeds again",
                                  why);
}

void store::checkpoint_if_due() {
    std::error_code ec;
    auto size = std::filesystem::file_size(wal_path_, ec);
    if (ec)
        return;
    if (size > wal_.truncate_above) {
        // Do not wait for readers: while one is on the old WAL (a long
        // replay, a backup) the checkpoint copies what it can and the next
        // commit tries again, so the writer never stalls on a reader.
        write_db_->busy_timeout(std::chrono::milliseconds(0));
        try {
            auto st = write_db_->prepare("PRAGMA wal_checkpoint(TRUNCATE)");
            st.step();
            if (st.int64(0) != 0)
                log::of<"store">()->debug(
                    "WAL checkpoint deferred: a reader is still on the old WAL");
            else
                ++metrics_.checkpoints;
        } catch (const std::exception& e) {
            log::of<"store">()->warn("WAL checkpoint failed: {}", e.what());
        }
        write_db_->busy_timeout(std::chrono::milliseconds(5000));
        size = std::filesystem::file_size(wal_path_, ec);
        if (ec)
            size = 0;
    }
    metrics_.wal_bytes.store(static_cast<std::int64_t>(size));
}

void store::commit_batch(std::vector<pending>& batch) {
    const auto started = std::chrono::steady_clock::now();
    transaction tx(*write_db_, *st_, next_seq_, clock_.now());
    bool ok = true;
    bool storage_fault = false;
    std::string why;
    try {
        st_->begin.run();
        for (auto& p : batch)
            p.job(tx);
        tx.run_deferred();
        st_->commit.run();
    } catch (const std::exception& e) {
        ok = false;
        why = e.what();
        if (const auto* se = dynamic_cast<const sqlite::error*>(&e))
            storage_fault = se->is_storage_fault();
        log::of<"store">()->error("commit of {} job(s) failed: {}", batch.size(), e.what());
        try {
            write_db_->exec("ROLLBACK");
        } catch (const std::exception&) {
            // No transaction left to roll back: the failed COMMIT ended it.
        }
    }
    const auto took = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::steady_clock::now() - started)
                          .count();
    metrics_.jobs += batch.size();
    if (ok) {
        next_seq_ = tx.next_seq_;
        ++metrics_.commits;
        std::size_t b = 0;
        while (b < store_metrics::bounds_us.size() &&
               static_cast<std::uint64_t>(took) > store_metrics::bounds_us[b])
            ++b;
        ++metrics_.commit_latency[b];
        metrics_.commit_latency_sum_us += static_cast<std::uint64_t>(took);
    } else {
        ++metrics_.commit_failures;
        if (rollback_)
            rollback_();
    }
    if (ok || storage_fault)
        after_commit(ok, why);
    for (auto& p : batch)
        if (p.done)
            p.done(ok);
    if (ok && sink_ && !tx.events_.empty())
        sink_(std::move(tx.events_));
    // After the answers and the feeds: a checkpoint is the store's own
    // housekeeping and must not hold up the batch it follows.
    if (ok)
        checkpoint_if_due();
}

void store::reader_loop() {
    auto& db = *read_db_;
    for (;;) {
        std::function<void(sqlite::db&)> fn;
        {
            std::unique_lock lock(read_mu_);
            read_cv_.wait(lock, [&] { return read_stopping_ || !read_queue_.empty(); });
            if (read_queue_.empty())
                return;
            fn = std::move(read_queue_.front());
            read_queue_.pop_front();
        }
        try {
            fn(db);
        } catch (const std::exception& e) {
            log::of<"store">()->error("read failed: {}", e.what());
        }
    }
}

} // namespace opel::store
