#pragma once
// One Server-Sent Events client of GET /v1/stream. It takes the connection
// over from the HTTP session, replays what the client missed from the store,
// then follows the live events with no gap and no repeat: it subscribes to the
// hub before the replay starts, holds live events back while replaying, and
// sends only seqs above the last one sent.

#include "http/connection_manager.hpp"
#include "http/event_hub.hpp"
#include "http/router.hpp"
#include "http/stream.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace opel::http {

/// Limits of one stream.
struct sse_limits {
    std::size_t max_queued_bytes = 1 << 20;     ///< beyond it the client is cut off
    std::size_t replay_page = 1000;             ///< events read per store query
    std::chrono::seconds heartbeat{15};
    std::chrono::seconds write_timeout{30};
};

/// A stream; owns itself through shared_from_this while I/O is pending.
class sse_stream : public event_listener,
                   public connection,
                   public std::enable_shared_from_this<sse_stream> {
public:
    /// `slot` is the connection's place in the server's count, held until
    /// the stream closes.
    sse_stream(any_stream stream, connection_slot slot, router& r, event_hub& hub,
               sse_limits limits);
    ~sse_stream() override;

    /// Authenticates the call, then starts the stream (or answers an error and closes).
    void start(const call& c);

    void on_event(const std::shared_ptr<const live_event>& e) override;
    void on_shutdown() override;
    /// The server is stopping: as on_shutdown().
    void stop() override { on_shutdown(); }

private:
    void begin(std::int64_t since, bool replay);
    void fetch_page();
    void on_page(std::vector<core::event> page);
    void finish_replay();
    void send_event(const core::event& e, std::shared_ptr<const std::string> frame,
                    bool replayed = false);
    void enqueue(std::shared_ptr<const std::string> frame, bool replayed = false);
    void enqueue(std::string text) { enqueue(std::make_shared<const std::string>(std::move(text))); }
    void do_write();
    void arm_heartbeat();
    void watch_peer();
    void close();
    void answer_error(service::reply r);

    any_stream stream_;
    connection_slot slot_;
    router& router_;
    event_hub& hub_;
    sse_limits limits_;
    boost::asio::steady_timer heartbeat_;
    std::string prefix_;
    std::int64_t last_sent_ = 0;
    bool replaying_ = false;
    bool fetching_ = false;
    bool page_was_full_ = false;
    std::deque<std::shared_ptr<const live_event>> held_; ///< live events during replay
    std::deque<std::shared_ptr<const std::string>> out_;   ///< frames to write, shared with other streams
    std::vector<boost::asio::const_buffer> writing_buffers_; ///< the frames of the write in progress
    static constexpr std::size_t max_frames_per_write = 64;
    static constexpr std::size_t max_bytes_per_write = 256 * 1024;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false;  ///< close once the queue is written
    bool closed_ = false;
    std::optional<std::uint64_t> hub_key_;
};

} // namespace opel::http
