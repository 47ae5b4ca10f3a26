#pragma once
// The hand-off from other threads to the bridge thread: a mutex-protected
// queue plus an eventfd that zmq::poll waits on as a raw descriptor, so no
// ZeroMQ socket is ever touched outside the bridge thread.

#include "service/reply.hpp"

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace opel::zmq {

/// One answer waiting to go out, keyed by the request it answers.
struct queued_reply {
    std::uint64_t request = 0;
    service::reply answer;
};

/// One event waiting to be published, already serialised.
struct queued_event {
    std::string topic;
    std::string json;
};

/// What the bridge thread takes from the mailbox in one go.
struct mailbox_batch {
    std::vector<queued_reply> replies;
    std::vector<queued_event> events;
};

/// A thread-safe queue with a pollable wake-up descriptor.
class mailbox {
public:
    /// At most `event_capacity` events wait at once; throws std::system_error
    /// if the eventfd cannot be made.
    explicit mailbox(std::size_t event_capacity);
    ~mailbox();
    mailbox(const mailbox&) = delete;
    mailbox& operator=(const mailbox&) = delete;

    /// Queues a reply; false (and nothing queued) once closed.
    bool post_reply(queued_reply r);
    /// Queues events up to the capacity; returns how many were dropped.
    std::size_t post_events(std::vector<queued_event> events);
    /// Everything queued so far; also clears the wake-up.
    mailbox_batch take();
    /// Wakes the bridge thread even with nothing queued (to stop it).
    void notify();
    /// Refuses further posts; what is already queued stays for take().
    void close();
    /// Becomes readable when something was queued since the last take().
    int fd() const { return fd_; }

private:
    int fd_ = -1;
    std::size_t event_capacity_;
    std::mutex mu_;
    std::vector<queued_reply> replies_;
    std::vector<queued_event> events_;
    bool closed_ = false;
};

} // namespace opel::zmq
