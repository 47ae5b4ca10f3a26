// Connection bookkeeping: ids, per-address counts, and the stop of all.
#include "http/connection_manager.hpp"

#include <vector>

namespace opel::http {

connection_slot& connection_slot::operator=(connection_slot&& o) noexcept {
    if (this != &o) {
        release();
        manager_ = o.manager_;
        id_ = o.id_;
        o.manager_ = nullptr;
    }
    return *this;
}

void connection_slot::bind(std::weak_ptr<connection> c) {
    if (!manager_)
        return;
    if (auto it = manager_->open_.find(id_); it != manager_->open_.end())
        it->second.owner = std::move(c);
}

void connection_slot::release() {
    if (manager_)
        manager_->release(id_);
    manager_ = nullptr;
}

connection_slot connection_manager::admit(const std::string& peer) {
    const auto id = next_id_++;
    open_.emplace(id, entry{peer, {}});
    ++per_peer_[peer];
    return {*this, id};
}

void connection_manager::release(std::uint64_t id) {
    const auto it = open_.find(id);
    if (it == open_.end())
        return;
    if (auto p = per_peer_.find(it->second.peer); p != per_peer_.end() && --p->second == 0)
        per_peer_.erase(p);
    open_.erase(it);
}

std::size_t connection_manager::from(const std::string& peer) const {
    const auto it = per_peer_.find(peer);
    return it == per_peer_.end() ? 0 : it->second;
}

void connection_manager::stop_all() {
    // Copy first: a connection may release its slot while being stopped.
    std::vector<std::shared_ptr<connection>> live;
    for (auto& [id, e] : open_)
        if (auto c = e.owner.lock())
            live.push_back(std::move(c));
    for (auto& c : live)
        c->stop();
}

} // namespace opel::http
