#pragma once
// The ZeroMQ bridge: the ingest ROUTER and the event PUB of the contract's
// "ZeroMQ" section. One thread owns every ZeroMQ socket; other threads reach
// it only through the mailbox. Wire format and choices: docs/zmq.md.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "core/event.hpp"
#include "service/address_limiter.hpp"
#include "service/reply.hpp"
#include "zmq/curve.hpp"
#include "zmq/mailbox.hpp"
#include "zmq/zap_policy.hpp"

#include <spdlog/logger.h>
#include <zmq.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace opel::zmq {

/// Options from the config's zmq section, plus limits with working defaults.
struct bridge_options {
    std::string ingest;          ///< ROUTER endpoint; empty: no ingest
    std::string publish;         ///< PUB endpoint; empty: no publishing
    int high_water_mark = 10000; ///< both sockets' HWMs (0: none); caps the event queue too
    std::optional<config::curve_config> curve;      ///< CURVE on both sockets when set
    /// Connections open at once on each socket; more are refused at their
    /// handshake, with a temporary failure (the client reconnects later).
    std::size_t max_connections = 1024;
    /// Every ingest message counts against its peer address's bucket, as
    /// every HTTP request does; over it: 429, before the payload is read.
    config::address_limits_config per_address{};
    /// The clock of the per-address buckets; null: the system clock.
    const core::clock* clock = nullptr;
    /// A connection must finish its ZeroMQ handshake within this, or is closed.
    std::chrono::milliseconds handshake_timeout{10000};
    std::size_t max_in_flight = 1024;               ///< unanswered requests before reading pauses
    std::int64_t max_frame_bytes = 4 * 1024 * 1024; ///< ZMQ_MAXMSGSIZE of the ROUTER
    std::size_t max_frames = 16;                    ///< per message, envelope included
    std::size_t max_message_bytes = 4 * 1024 * 1024; ///< per message, every frame together
    std::chrono::milliseconds linger{500};          ///< how long stop() lets queued output drain
};

/// bridge_options for the config's `zmq:` section and `limits.per_address`.
bridge_options options_from(const config::zmq_config& c,
                            const config::address_limits_config& per_address);

/// Counters for /metrics, read at one moment.
struct bridge_counters {
    std::uint64_t requests_received = 0;
    std::uint64_t replies_sent = 0;
    std::uint64_t replies_unroutable = 0; ///< the client had gone
    std::uint64_t replies_dropped = 0;    ///< the client's queue was full, or a send failed
    std::uint64_t events_published = 0;
    std::uint64_t events_dropped = 0; ///< the bridge's event queue was full
    std::uint64_t rate_limited = 0;   ///< messages answered 429 by the per-address limit
    std::uint64_t connections_refused = 0; ///< handshakes refused: a full socket or a key not allowed
};

/// The ingest ROUTER and event PUB, served by one bridge thread.
class bridge {
public:
    /// Hands one payload, and the address of the peer that sent it (empty
    /// when unknown), to the service; `done` must be called exactly once
    /// (from any thread) with the answer. Called on the bridge thread: it
    /// must not block.
    using submit_fn = std::function<void(std::string payload, std::string peer,
                                         std::function<void(service::reply)> done)>;

    /// Binds both sockets (an empty endpoint turns that socket off); throws
    /// std::runtime_error with a clear message if it cannot.
    bridge(const bridge_options& opts, submit_fn submit);
    /// Stops if running.
    ~bridge();
    bridge(const bridge&) = delete;
    bridge& operator=(const bridge&) = delete;

    /// Starts the bridge thread; once only (a second call does nothing).
    void start();
    /// Sends the replies already queued, closes the sockets with a short
    /// linger and joins the thread; idempotent. Not from the bridge thread.
    void stop();

    /// The ingest endpoint actually bound (ZMQ_LAST_ENDPOINT); empty when off.
    std::string ingest_endpoint() const { return ingest_endpoint_; }
    /// The publish endpoint actually bound; empty when off.
    std::string publish_endpoint() const { return publish_endpoint_; }

    /// Queues events to publish, in the order given; thread-safe, never blocks.
    void publish(std::vector<core::event> events);

    /// Sets the per-address limits (on reload); thread-safe.
    void set_address_limits(const config::address_limits_config& l);

    /// The counters now.
    bridge_counters counters() const;

private:
    /// One socket's connection count, kept from its monitor's events.
    struct socket_watch {
        ::zmq::socket_t monitor; ///< PAIR receiving the socket's monitor events
        std::int64_t open = 0;   ///< accepted and not yet disconnected
    };

    void set_up_zap();
    std::string bind_socket(::zmq::socket_t& s, ::zmq::socket_type type,
                            const std::string& endpoint, const char* what, socket_watch& w);
    void apply_options(::zmq::socket_t& s, ::zmq::socket_type type);
    void watch(::zmq::socket_t& s, socket_watch& w, const char* what);
    void close_sockets() noexcept;

    // On the bridge thread only (bridge_loop.cpp).
    void run();
    void poll_once();
    void read_requests();
    std::optional<std::vector<::zmq::message_t>> receive_bounded(bool& refused,
                                                                 std::string& peer);
    void refuse_message(std::vector<::zmq::message_t> frames, const std::string& peer,
                        const std::string& code, const std::string& why, service::reply answer,
                        bool whole_envelope);
    void log_refusal(const std::string& peer, const std::string& code, const std::string& why);
    void handle_request(std::vector<::zmq::message_t> frames, std::string peer);
    std::optional<service::reply> limit(const std::string& peer);
    void read_monitor(socket_watch& w);
    void deliver(mailbox_batch batch);
    void send_reply(queued_reply q);
    void send_event(const queued_event& e);
    void answer_zap();
    void log_verdict(const zap_verdict& v);
    void finish();

    bridge_options opts_;
    submit_fn submit_;
    std::shared_ptr<spdlog::logger> log_;
    std::shared_ptr<mailbox> mail_; ///< shared with every `done`, which may outlive us
    std::string curve_secret_;      ///< Z85; cleared once the sockets are bound
    zap_policy zap_policy_;
    core::system_clock system_clock_;
    std::mutex limiter_mu_; ///< the limiter is used on the bridge thread, reconfigured on others
    service::address_limiter limiter_;

    // The context before the sockets: they must close before it terminates.
    ::zmq::context_t context_;
    ::zmq::socket_t zap_;
    socket_watch ingest_watch_;
    socket_watch publish_watch_;
    ::zmq::socket_t router_;
    ::zmq::socket_t pub_;
    std::string ingest_endpoint_;
    std::string publish_endpoint_;

    /// Envelopes of requests awaiting the service, by request id.
    std::unordered_map<std::uint64_t, std::vector<::zmq::message_t>> in_flight_;
    std::uint64_t next_request_ = 1;
    std::unordered_set<std::string> refused_seen_; ///< refused clients already warned about
    bool full_warned_ = false; ///< a refusal for a full socket was warned about in this episode
    /// When each peer's last refused message was logged (one line a minute each).
    std::unordered_map<std::string, std::chrono::steady_clock::time_point> refusal_logged_;

    std::mutex lifecycle_mu_;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    bool stopped_ = false;
    std::atomic<bool> dropping_events_{false};

    std::atomic<std::uint64_t> requests_received_{0};
    std::atomic<std::uint64_t> replies_sent_{0};
    std::atomic<std::uint64_t> replies_unroutable_{0};
    std::atomic<std::uint64_t> replies_dropped_{0};
    std::atomic<std::uint64_t> events_published_{0};
    std::atomic<std::uint64_t> events_dropped_{0};
    std::atomic<std::uint64_t> rate_limited_{0};
    std::atomic<std::uint64_t> connections_refused_{0};
};

} // namespace opel::zmq
