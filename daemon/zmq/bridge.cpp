// The bridge's life cycle and its thread-safe surface. The constructor binds
// every socket (ZAP handler first, so no CURVE handshake can arrive before
// it exists), start() hands the sockets to the bridge thread, and stop()
// takes them back after joining it and closes them with a short linger.
// publish() and counters() are the only calls other threads make while it
// runs; both go through the mailbox or atomics, never a socket.
#include "zmq/bridge.hpp"

#include "log/log.hpp"

#include <stdexcept>
#include <pthread.h>

namespace opel::zmq {

namespace {

constexpr const char* zap_endpoint = "inproc://zeromq.zap.01";
/// The event queue's cap when the HWM is 0 (unlimited for ZeroMQ): the
/// mailbox stays bounded whatever the config says.
constexpr std::size_t unlimited_hwm_event_cap = 100000;

std::size_t event_queue_cap(int high_water_mark) {
    return high_water_mark > 0 ? static_cast<std::size_t>(high_water_mark)
                               : unlimited_hwm_event_cap;
}

/// Sets the linger, then closes; `s` may already be closed.
void close_with_linger(::zmq::socket_t& s, std::chrono::milliseconds linger) noexcept {
    if (!s) return;
    try {
        s.set(::zmq::sockopt::linger, static_cast<int>(linger.count()));
    } catch (const ::zmq::error_t&) {
        // The socket still closes, with whatever linger it had (0 from apply_options).
    }
    s.close();
}

} // namespace

bridge_options options_from(const config::zmq_config& c,
                            const config::address_limits_config& per_address) {
    bridge_options o;
    o.ingest = c.ingest;
    o.publish = c.publish;
    o.high_water_mark = c.high_water_mark;
    o.max_connections = c.max_connections;
    o.curve = c.curve;
    o.per_address = per_address;
    return o;
}

bridge::bridge(const bridge_options& opts, submit_fn submit)
    : opts_(opts), submit_(std::move(submit)), log_(log::get("zmq")),
      mail_(std::make_shared<mailbox>(event_queue_cap(opts.high_water_mark))),
      limiter_(opts.clock ? *opts.clock : system_clock_, rate_limited_) {
    if (!submit_) throw std::invalid_argument("zmq: the bridge needs a submit function");
    if (opts_.high_water_mark < 0)
        throw std::runtime_error("zmq: high_water_mark must not be negative");
    limiter_.configure(opts_.per_address);
    set_up_zap();
    if (!opts_.ingest.empty())
        ingest_endpoint_ = bind_socket(router_, ::zmq::socket_type::router, opts_.ingest,
                                       "ingest", ingest_watch_);
    if (!opts_.publish.empty())
        publish_endpoint_ = bind_socket(pub_, ::zmq::socket_type::pub, opts_.publish, "publish",
                                        publish_watch_);
    curve_secret_.assign(curve_secret_.size(), '\0');
    curve_secret_.clear();
    log_->info("ingest {}, publish {}, CURVE {}, at most {} connections each",
               ingest_endpoint_.empty() ? "off" : ingest_endpoint_,
               publish_endpoint_.empty() ? "off" : publish_endpoint_, opts_.curve ? "on" : "off",
               opts_.max_connections);
}

bridge::~bridge() {
    stop();
}

void bridge::set_up_zap() {
    // The ZAP handler runs with CURVE or without: every connection is asked
    // about, which is where the connection cap is kept.
    if (opts_.curve) {
        if (!curve_available())
            throw std::runtime_error("zmq.curve: this libzmq was built without CURVE support");
        curve_secret_ = read_secret_key_file(opts_.curve->secret_key_file);
        try {
            zap_policy_ =
                zap_policy(opts_.curve->ingest_public_keys, opts_.curve->publish_public_keys);
        } catch (const std::runtime_error& e) {
            throw std::runtime_error(std::string("zmq.curve: an allowed public key: ") + e.what());
        }
        if (!opts_.ingest.empty() && zap_policy_.ingest_size() == 0)
            log_->warn("CURVE is on with no ingest_public_keys: every client will be refused "
                       "on the ingest socket");
        if (!opts_.publish.empty() && zap_policy_.publish_size() == 0)
            log_->warn("CURVE is on with no publish_public_keys: every client will be refused "
                       "on the publish socket");
    }
    try {
        zap_ = ::zmq::socket_t(context_, ::zmq::socket_type::rep);
        zap_.set(::zmq::sockopt::linger, 0);
        zap_.bind(zap_endpoint);
    } catch (const ::zmq::error_t& e) {
        throw std::runtime_error(std::string("zmq: cannot start the ZAP handler: ") + e.what());
    }
}

void bridge::apply_options(::zmq::socket_t& s, ::zmq::socket_type type) {
    // Linger 0 until stop(): a constructor that throws must not hang on close.
    s.set(::zmq::sockopt::linger, 0);
    s.set(::zmq::sockopt::sndhwm, opts_.high_water_mark);
    s.set(::zmq::sockopt::rcvhwm, opts_.high_water_mark);
    s.set(::zmq::sockopt::maxmsgsize, opts_.max_frame_bytes);
    s.set(::zmq::sockopt::handshake_ivl, static_cast<int>(opts_.handshake_timeout.count()));
    if (type == ::zmq::socket_type::router) s.set(::zmq::sockopt::router_mandatory, true);
    s.set(::zmq::sockopt::zap_domain, type == ::zmq::socket_type::router ? ingest_zap_domain
                                                                          : publish_zap_domain);
    if (opts_.curve) {
        s.set(::zmq::sockopt::curve_server, true);
        s.set(::zmq::sockopt::curve_secretkey, curve_secret_);
    }
}

void bridge::watch(::zmq::socket_t& s, socket_watch& w, const char* what) {
    // Before the bind, so that no connection is accepted unseen. The PAIR
    // connects at once (inproc), so no event is sent before it listens.
    const std::string endpoint = std::string("inproc://opeld.monitor.") + what;
    if (zmq_socket_monitor(s.handle(), endpoint.c_str(),
                           ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0)
        throw ::zmq::error_t();
    w.monitor = ::zmq::socket_t(context_, ::zmq::socket_type::pair);
    w.monitor.set(::zmq::sockopt::linger, 0);
    w.monitor.connect(endpoint);
}

std::string bridge::bind_socket(::zmq::socket_t& s, ::zmq::socket_type type,
                                const std::string& endpoint, const char* what, socket_watch& w) {
    try {
        s = ::zmq::socket_t(context_, type);
        apply_options(s, type);
        watch(s, w, what);
        s.bind(endpoint);
        return s.get(::zmq::sockopt::last_endpoint);
    } catch (const ::zmq::error_t& e) {
        throw std::runtime_error(std::string("zmq: cannot bind the ") + what + " socket to '" +
                                 endpoint + "': " + e.what());
    }
}

void bridge::start() {
    std::lock_guard lock(lifecycle_mu_);
    if (thread_.joinable() || stopped_) return;
    thread_ = std::thread([this] { run(); });
    pthread_setname_np(thread_.native_handle(), "opeld-zmq"); // by the time start() returns
}

void bridge::stop() {
    std::lock_guard lock(lifecycle_mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    if (thread_.joinable()) {
        mail_->notify();
        thread_.join();
    }
    mail_->close();
    close_sockets();
    log_->info("stopped");
}

void bridge::close_sockets() noexcept {
    // The thread has been joined (or never ran), so this thread may own them.
    close_with_linger(router_, opts_.linger);
    close_with_linger(pub_, opts_.linger);
    close_with_linger(ingest_watch_.monitor, std::chrono::milliseconds(0));
    close_with_linger(publish_watch_.monitor, std::chrono::milliseconds(0));
    close_with_linger(zap_, std::chrono::milliseconds(0));
}

void bridge::publish(std::vector<core::event> events) {
    if (publish_endpoint_.empty() || events.empty()) return;
    if (stopping_) {
        log_->debug("{} events not published: the bridge has stopped", events.size());
        return;
    }
    std::vector<queued_event> queued;
    queued.reserve(events.size());
    for (auto& e : events) {
        auto json = core::event_json(e);
        queued.push_back({std::move(e.topic), std::move(json)});
    }
    const auto dropped = mail_->post_events(std::move(queued));
    if (dropped == 0) {
        dropping_events_ = false;
        return;
    }
    events_dropped_ += dropped;
    // One warning per run of drops, not one per event.
    if (!dropping_events_.exchange(true))
        log_->warn("event queue full ({} events): dropping events; subscribers replay by seq",
                   opts_.high_water_mark);
}

void bridge::set_address_limits(const config::address_limits_config& l) {
    std::lock_guard lock(limiter_mu_);
    limiter_.configure(l);
}

bridge_counters bridge::counters() const {
    bridge_counters c;
    c.requests_received = requests_received_.load();
    c.replies_sent = replies_sent_.load();
    c.replies_unroutable = replies_unroutable_.load();
    c.replies_dropped = replies_dropped_.load();
    c.events_published = events_published_.load();
    c.events_dropped = events_dropped_.load();
    c.rate_limited = rate_limited_.load();
    c.connections_refused = connections_refused_.load();
    return c;
}

} // namespace opel::zmq
