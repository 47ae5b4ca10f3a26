// Connection bookkeeping: ids, per-address counts, and the stop of all.
#include "http/connection_manager.hpp"

#include <vector>

namespace opel::http {

void connection_table::release(std::uint64_t id) {
    const auto it = open.find(id);
    if (it == open.end())
        return;
    if (auto p = per_peer.find(it->second.peer); p != per_peer.end() && --p->second == 0)
        per_peer.erase(p);
    open.erase(it);
}

connection_slot& connection_slot::operator=(connection_slot&& o) noexcept {
    if (this != &o) {
        release();
        table_ = std::move(o.table_);
        id_ = o.id_;
        o.table_.reset();
    }
    return *this;
}

void connection_slot::bind(std::weak_ptr<connection> c) {
    if (auto t = table_.lock())
        if (auto it = t->open.find(id_); it != t->open.end())
            it->second.owner = std::move(c);
}

void connection_slot::release() {
    if (auto t = table_.lock())
        t->release(id_);
    table_.reset();
}

connection_slot connection_manager::admit(const std::string& peer) {
    const auto id = table_->next_id++;
    table_->open.emplace(id, connection_table::entry{peer, {}});
    ++table_->per_peer[peer];
    return {table_, id};
}

std::size_t connection_manager::from(const std::string& peer) const {
    const auto it = table_->per_peer.find(peer);
    return it == table_->per_peer.end() ? 0 : it->second;
}

void connection_manager::stop_all() {
    // Copy first: a connection may release its slot while being stopped.
    std::vector<std::shared_ptr<connection>> live;
    for (auto& [id, e] : table_->open)
        if (auto c = e.owner.lock())
            live.push_back(std::move(c));
    for (auto& c : live)
        c->stop();
}

} // namespace opel::http
