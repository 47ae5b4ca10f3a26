#pragma once
// RAII over the SQLite C API: a connection and prepared statements. Errors
// throw sqlite::error carrying SQLite's extended result code.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace opel::store::sqlite {

/// A failed SQLite call.
class error : public std::runtime_error {
public:
    error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    /// The extended result code (SQLITE_FULL, SQLITE_READONLY, ...).
    int code() const { return code_; }
    /// True for the codes that mean "the disk cannot take it now".
    bool is_storage_fault() const;

private:
    int code_;
};

class statement;
class cached_statement;

/// One connection.
class db {
public:
    /// Opens (creating if `create`) the database at `path`.
    db(const std::filesystem::path& path, bool create, bool read_only = false);
    ~db();
    db(const db&) = delete;
    db& operator=(const db&) = delete;

    /// Runs `sql` (one or more statements, no results).
    void exec(std::string_view sql);
    /// Prepares one statement.
    statement prepare(std::string_view sql);
    /// A statement for `sql` kept prepared on this connection: the first
    /// call prepares it, later ones reuse it (for SQL run again and again,
    /// where preparing costs more than running). The lease resets it when
    /// it ends, so a SELECT left part-read holds no read snapshot; a second
    /// lease of the same SQL while the first is held gets its own statement.
    cached_statement cached(std::string_view sql);
    /// The rowid of the last insert on this connection.
    std::int64_t last_insert_rowid() const;
    /// Rows changed by the last statement on this connection.
    int changes() const;
    /// How long a call waits for another connection's lock before SQLITE_BUSY.
    void busy_timeout(std::chrono::milliseconds ms);
    /// Copies this whole database into `dest` with SQLite's online backup
    /// API, in one step: the copy is one consistent snapshot (in WAL mode
    /// writers on other connections carry on meanwhile).
    void backup_into(db& dest);
    /// The raw handle, for the backup API and the like.
    sqlite3* handle() const { return db_; }

private:
    friend class cached_statement;
    struct text_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
    };
    sqlite3* db_ = nullptr;
    // Idle prepared statements by their SQL; ~db finalises them first.
    std::unordered_map<std::string, std::vector<statement>, text_hash, std::equal_to<>> cache_;
};

/// A prepared statement; reset after each full step-through.
class statement {
public:
    statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
    statement(statement&& o) noexcept : db_(o.db_), stmt_(o.stmt_) { o.stmt_ = nullptr; }
    statement(const statement&) = delete;
    statement& operator=(statement&& o) noexcept;
    ~statement();

    /// Binds a parameter (1-based).
    statement& bind(int i, std::int64_t v);
    statement& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    statement& bind(int i, std::string_view v);
    statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
    statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
    statement& bind(int i, const std::optional<std::string>& v);
    statement& bind_null(int i);
    /// Binds text without a copy: `v` must stay valid until the statement is
    /// reset (run() resets it). For the writer's long texts (event and alert
    /// JSON), bound and run at once.
    statement& bind_static(int i, std::string_view v);

    /// Steps once: true when a row is ready.
    bool step();
    /// Steps to the end (for writes) and resets.
    void run();
    /// Resets and clears bindings for the next use.
    void reset();

    /// Column accessors for the current row (0-based).
    std::int64_t int64(int col) const;
    std::string text(int col) const;
    std::optional<std::string> optional_text(int col) const;
    bool is_null(int col) const;

private:
    sqlite3* db_;
    sqlite3_stmt* stmt_;
};

/// A statement leased from a connection's cache (db::cached): used like a
/// statement through `->`, reset and handed back when the lease ends. The
/// connection must outlive the lease.
class cached_statement {
public:
    cached_statement(cached_statement&& o) noexcept
        : idle_(o.idle_), st_(std::move(o.st_)) { o.idle_ = nullptr; }
    cached_statement(const cached_statement&) = delete;
    cached_statement& operator=(const cached_statement&) = delete;
    cached_statement& operator=(cached_statement&&) = delete;
    ~cached_statement();

    statement* operator->() { return &st_; }
    statement& operator*() { return st_; }

private:
    friend class db;
    cached_statement(std::vector<statement>* idle, statement st)
        : idle_(idle), st_(std::move(st)) {}
    std::vector<statement>* idle_;
    statement st_;
};

} // namespace opel::store::sqlite
