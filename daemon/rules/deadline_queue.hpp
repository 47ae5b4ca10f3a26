#pragma once
// Deadlines with at most one per item, items being indexes 0..n-1 (the
// engine's practices): an indexed binary heap. Setting, moving and removing
// an item's deadline cost O(log n) and allocate nothing once the heap has
// grown; a std::set of (deadline, item) did the same with a 48-byte node and
// a malloc for every report. The earliest entry is the least (deadline,
// item), as in that set, so ties go in the same order.

#include "core/types.hpp"

#include <cstddef>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace opel::rules {

class deadline_queue {
public:
    /// Empties the queue for items 0..items-1.
    void reset(std::size_t items) {
        heap_.clear();
        slot_.assign(items, absent);
    }
    bool empty() const { return heap_.empty(); }
    std::size_t size() const { return heap_.size(); }
    /// The earliest (deadline, item). Not on an empty queue.
    std::pair<core::time_point, std::size_t> top() const {
        return {heap_.front().first, heap_.front().second};
    }
    /// Whether `item` has a deadline.
    bool contains(std::size_t item) const { return slot_[item] != absent; }
    /// Sets `item`'s deadline to `at`, adding it or moving it.
    void set(std::size_t item, core::time_point at) {
        const entry e{at, static_cast<std::uint32_t>(item)};
        if (!contains(item)) {
            heap_.push_back(e);
            slot_[item] = static_cast<std::uint32_t>(heap_.size() - 1);
            up(heap_.size() - 1);
            return;
        }
        const std::size_t i = slot_[item];
        const bool earlier = e < heap_[i];
        heap_[i] = e;
        if (earlier)
            up(i);
        else
            down(i);
    }
    /// Removes `item`'s deadline, if it has one.
    void erase(std::size_t item) {
        if (!contains(item))
            return;
        const std::size_t i = slot_[item];
        slot_[item] = absent;
        const entry last = heap_.back();
        heap_.pop_back();
        if (i == heap_.size())
            return; // it was the last
        heap_[i] = last;
        slot_[last.second] = static_cast<std::uint32_t>(i);
        up(i);
        down(slot_[last.second]);
    }
    /// Removes the earliest entry. Not on an empty queue.
    void pop() { erase(heap_.front().second); }

private:
    using entry = std::pair<core::time_point, std::uint32_t>;
    static constexpr std::uint32_t absent = std::numeric_limits<std::uint32_t>::max();

    void put(std::size_t i, const entry& e) {
        heap_[i] = e;
        slot_[e.second] = static_cast<std::uint32_t>(i);
    }
    void up(std::size_t i) {
        const entry e = heap_[i];
        while (i > 0) {
            const std::size_t parent = (i - 1) / 2;
            if (!(e < heap_[parent]))
                break;
            put(i, heap_[parent]);
            i = parent;
        }
        put(i, e);
    }
    void down(std::size_t i) {
        const entry e = heap_[i];
        const std::size_t n = heap_.size();
        for (;;) {
            std::size_t child = 2 * i + 1;
            if (child >= n)
                break;
            if (child + 1 < n && heap_[child + 1] < heap_[child])
                ++child;
            if (!(heap_[child] < e))
                break;
            put(i, heap_[child]);
            i = child;
        }
        put(i, e);
    }

    std::vector<entry> heap_;
    std::vector<std::uint32_t> slot_; ///< per item: its place in heap_, or absent
};

} // namespace opel::rules
