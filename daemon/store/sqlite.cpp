// The SQLite wrapper: the only file that calls the C API directly, so every
// handle has an owner and every failed call becomes a typed exception.
#include "store/sqlite.hpp"

#include <sqlite3.h>

namespace opel::store::sqlite {

namespace {

[[noreturn]] void fail(sqlite3* db, int rc) {
    throw error(sqlite3_extended_errcode(db) ? sqlite3_extended_errcode(db) : rc,
                db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

} // namespace

bool error::is_storage_fault() const {
    switch (code_ & 0xff) {
    case SQLITE_FULL:
    case SQLITE_IOERR:
    case SQLITE_READONLY:
    case SQLITE_CANTOPEN:
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return true;
    default:
        return false;
    }
}

db::db(const std::filesystem::path& path, bool create, bool read_only) {
    int flags = SQLITE_OPEN_NOMUTEX;
    flags |= read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE;
    if (create && !read_only)
        flags |= SQLITE_OPEN_CREATE;
    const int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK) {
        std::string msg = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
        sqlite3_close_v2(db_);
        db_ = nullptr;
        throw error(rc, "cannot open " + path.string() + ": " + msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    // A reader waits briefly for a checkpoint rather than failing.
    sqlite3_busy_timeout(db_, 5000);
}

db::~db() {
    cache_.clear();
    sqlite3_close_v2(db_);
}

void db::exec(std::string_view sql) {
    std::string text(sql);
    char* msg = nullptr;
    const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &msg);
    if (rc != SQLITE_OK) {
        std::string what = msg ? msg : sqlite3_errstr(rc);
        sqlite3_free(msg);
        throw error(sqlite3_extended_errcode(db_), what);
    }
}

statement db::prepare(std::string_view sql) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                                      SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK)
        fail(db_, rc);
    return statement(db_, stmt);
}

cached_statement db::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end())
        it = cache_.emplace(std::string(sql), std::vector<statement>{}).first;
    // Elements of an unordered_map stay where they are when it grows, so the
    // lease can keep a pointer to this SQL's idle list.
    auto& idle = it->second;
    if (idle.empty())
        return cached_statement(&idle, prepare(sql));
    statement st = std::move(idle.back());
    idle.pop_back();
    return cached_statement(&idle, std::move(st));
}

cached_statement::~cached_statement() {
    if (!idle_)
        return;
    st_.reset();
    // Leases of one SQL nest only as deep as the code that holds them.
    if (idle_->size() < 4)
        idle_->push_back(std::move(st_));
}

std::int64_t db::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

void db::busy_timeout(std::chrono::milliseconds ms) {
    sqlite3_busy_timeout(db_, static_cast<int>(ms.count()));
}

void db::backup_into(db& dest) {
    sqlite3_backup* b = sqlite3_backup_init(dest.db_, "main", db_, "main");
    if (!b)
        fail(dest.db_, sqlite3_errcode(dest.db_));
    // -1: every page in one step, under one read transaction on the source.
    const int step = sqlite3_backup_step(b, -1);
    const int finish = sqlite3_backup_finish(b);
    if (step != SQLITE_DONE)
        throw error(step, std::string("backup failed: ") + sqlite3_errstr(step));
    if (finish != SQLITE_OK)
        fail(dest.db_, finish);
}

int db::changes() const { return sqlite3_changes(db_); }

statement& statement::operator=(statement&& o) noexcept {
    if (this != &o) {
        sqlite3_finalize(stmt_);
        db_ = o.db_;
        stmt_ = o.stmt_;
        o.stmt_ = nullptr;
    }
    return *this;
}

statement::~statement() { sqlite3_finalize(stmt_); }

statement& statement::bind(int i, std::int64_t v) {
    if (const int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK)
        fail(db_, rc);
    return *this;
}

statement& statement::bind(int i, std::string_view v) {
    const int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_TRANSIENT,
                                       SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail(db_, rc);
    return *this;
}

statement& statement::bind_static(int i, std::string_view v) {
    const int rc = sqlite3_bind_text64(stmt_, i, v.data(), v.size(), SQLITE_STATIC, SQLITE_UTF8);
    if (rc != SQLITE_OK)
        fail(db_, rc);
    return *this;
}

statement& statement::bind(int i, const std::optional<std::string>& v) {
    return v ? bind(i, std::string_view(*v)) : bind_null(i);
}

statement& statement::bind_null(int i) {
    if (const int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK)
        fail(db_, rc);
    return *this;
}

bool statement::step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    const int code = sqlite3_extended_errcode(db_);
    std::string what = sqlite3_errmsg(db_);
    // Cleared too: a text bound with bind_static may not outlive the throw.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    throw error(code, what);
}

void statement::run() {
    while (step()) {
    }
    reset();
}

void statement::reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::int64_t statement::int64(int col) const { return sqlite3_column_int64(stmt_, col); }

std::string statement::text(int col) const {
    const auto* p = sqlite3_column_text(stmt_, col);
    return p ? std::string(reinterpret_cast<const char*>(p),
                           static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
}

std::optional<std::string> statement::optional_text(int col) const {
    if (is_null(col))
        return std::nullopt;
    return text(col);
}

bool statement::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

} // namespace opel::store::sqlite
