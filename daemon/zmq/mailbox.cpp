// The bridge's mailbox: other threads queue answers and events here and poke
// an eventfd; the bridge thread polls that descriptor beside its sockets and
// drains everything at once. The descriptor is written only when a queue
// turns non-empty, so a burst of answers costs one wake-up, not one each.
#include "zmq/mailbox.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace opel::zmq {

mailbox::mailbox(std::size_t event_capacity) : event_capacity_(event_capacity) {
    fd_ = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (fd_ < 0)
        throw std::system_error(errno, std::generic_category(), "zmq: cannot create an eventfd");
}

mailbox::~mailbox() {
    ::close(fd_);
}

bool mailbox::post_reply(queued_reply r) {
    bool was_empty = false;
    {
        std::lock_guard lock(mu_);
        if (closed_) return false;
        was_empty = replies_.empty() && events_.empty();
        replies_.push_back(std::move(r));
    }
    if (was_empty) notify();
    return true;
}

std::size_t mailbox::post_events(std::vector<queued_event> events) {
    const std::size_t offered = events.size();
    std::size_t taken = 0;
    bool was_empty = false;
    {
        std::lock_guard lock(mu_);
        if (closed_) return offered;
        was_empty = replies_.empty() && events_.empty();
        for (auto& e : events) {
            if (events_.size() >= event_capacity_) break;
            events_.push_back(std::move(e));
            ++taken;
        }
    }
    if (was_empty && taken > 0) notify();
    return offered - taken;
}

mailbox_batch mailbox::take() {
    // Clear the counter first: a post racing with us then either lands in
    // this batch or writes the descriptor again, never neither.
    std::uint64_t ignored = 0;
    [[maybe_unused]] auto n = ::read(fd_, &ignored, sizeof ignored);
    mailbox_batch b;
    std::lock_guard lock(mu_);
    b.replies.swap(replies_);
    b.events.swap(events_);
    return b;
}

void mailbox::notify() {
    const std::uint64_t one = 1;
    // Only EAGAIN (counter saturated, so already readable) can fail here.
    [[maybe_unused]] auto n = ::write(fd_, &one, sizeof one);
}

void mailbox::close() {
    std::lock_guard lock(mu_);
    closed_ = true;
}

} // namespace opel::zmq
