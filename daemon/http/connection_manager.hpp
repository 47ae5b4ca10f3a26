#pragma once
// The set of open HTTP connections, after Asio's http/server example: every
// connection (a session, or the event stream that took one over) holds a
// slot here for as long as its socket is open, so the count that
// `http.max_connections` caps is the count of open sockets, and stop_all()
// reaches every one of them.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>

namespace opel::http {

/// Something the manager can ask to finish (a session, a stream).
class connection {
public:
    virtual ~connection() = default;
    /// Finishes what is in hand, then closes.
    virtual void stop() = 0;
};

class connection_manager;

/// The manager's bookkeeping, shared with the slots: a connection whose
/// handler is destroyed with the io_context, after the server, must not
/// reach into a manager that is gone.
struct connection_table {
    struct entry {
        std::string peer;
        std::weak_ptr<connection> owner;
    };
    std::uint64_t next_id = 0;
    std::unordered_map<std::uint64_t, entry> open;
    std::unordered_map<std::string, std::size_t> per_peer;
    /// Forgets connection `id`.
    void release(std::uint64_t id);
};

/// One open connection's place in the count; released when destroyed.
/// Move-only; an empty slot holds nothing.
class connection_slot {
public:
    connection_slot() = default;
    connection_slot(std::weak_ptr<connection_table> t, std::uint64_t id)
        : table_(std::move(t)), id_(id) {}
    connection_slot(connection_slot&& o) noexcept : table_(std::move(o.table_)), id_(o.id_) {
        o.table_.reset();
    }
    connection_slot& operator=(connection_slot&& o) noexcept;
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    ~connection_slot() { release(); }

    /// Names who stop_all() asks to finish for this slot.
    void bind(std::weak_ptr<connection> c);
    /// Gives the place back now.
    void release();

private:
    std::weak_ptr<connection_table> table_;
    std::uint64_t id_ = 0;
};

/// The open connections. io thread only.
class connection_manager {
public:
    /// Counts a new connection from `peer`.
    connection_slot admit(const std::string& peer);
    /// Asks every open connection to finish.
    void stop_all();
    /// How many connections are open.
    std::size_t size() const { return table_->open.size(); }
    /// How many of them come from `peer`.
    std::size_t from(const std::string& peer) const;

private:
    std::shared_ptr<connection_table> table_ = std::make_shared<connection_table>();
};

} // namespace opel::http
