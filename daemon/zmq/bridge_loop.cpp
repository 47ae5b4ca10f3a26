// The bridge thread: the only code that touches a ZeroMQ socket once start()
// has run. It polls the mailbox's eventfd, the sockets' monitors, the ZAP
// handler and the ROUTER in one zmq::poll; counts each socket's connections
// from its monitor and refuses handshakes past the cap; takes each message
// from its peer's per-address bucket; hands each request's payload to the
// service, keeping the envelope here by request id; and sends answers and
// events as the mailbox delivers them. Each socket operation catches its own
// zmq::error_t, so nothing a client sends can stop the thread.
#include "zmq/bridge.hpp"

#include "zmq/reply_frame.hpp"

#include <zmq_addon.hpp>

#include <cstring>
#include <iterator>

namespace opel::zmq {

namespace {

/// Messages read per wake-up, so that answers and ZAP are not starved.
constexpr int read_batch = 256;
constexpr std::size_t none = static_cast<std::size_t>(-1);
/// Refused clients remembered for warn-once logging.
constexpr std::size_t max_refused_remembered = 1024;

/// The peer's address as a frame's metadata gives it ("" when it has none,
/// as over inproc), an IPv4 client of an IPv6 socket by its IPv4 address.
std::string peer_of(::zmq::message_t& frame) {
    try {
        std::string peer = frame.gets("Peer-Address");
        if (peer.rfind("::ffff:", 0) == 0 && peer.find('.') != std::string::npos)
            peer.erase(0, 7);
        return peer;
    } catch (const ::zmq::error_t&) {
        return {};
    }
}

} // namespace

void bridge::run() {
    log_->info("bridge thread started");
    while (!stopping_.load()) {
        try {
            poll_once();
        } catch (const std::exception& e) {
            // Not a client's doing (those are caught per operation); carry on.
            log_->error("bridge thread: {}", e.what());
        }
    }
    finish();
}

void bridge::poll_once() {
    std::vector<zmq_pollitem_t> items{{nullptr, mail_->fd(), ZMQ_POLLIN, 0}};
    std::size_t zap_at = none;
    std::size_t router_at = none;
    for (auto* w : {&ingest_watch_, &publish_watch_})
        if (w->monitor) items.push_back({w->monitor.handle(), 0, ZMQ_POLLIN, 0});
    if (zap_) {
        zap_at = items.size();
        items.push_back({zap_.handle(), 0, ZMQ_POLLIN, 0});
    }
    // At the in-flight cap the ROUTER is left unread: its RCVHWM then pushes
    // back on the clients instead of this thread queueing without bound.
    if (router_ && in_flight_.size() < opts_.max_in_flight) {
        router_at = items.size();
        items.push_back({router_.handle(), 0, ZMQ_POLLIN, 0});
    }
    try {
        ::zmq::poll(items);
    } catch (const ::zmq::error_t& e) {
        if (e.num() != EINTR) log_->error("poll failed: {}", e.what());
        return;
    }
    if (items[0].revents & ZMQ_POLLIN) deliver(mail_->take());
    // Counts first: a handshake's ZAP request comes after its accept event.
    read_monitor(ingest_watch_);
    read_monitor(publish_watch_);
    if (zap_at != none && (items[zap_at].revents & ZMQ_POLLIN)) answer_zap();
    if (router_at != none && (items[router_at].revents & ZMQ_POLLIN)) read_requests();
}

void bridge::read_monitor(socket_watch& w) {
    // Each event is two frames: 6 bytes (the event, 16 bits, then a value,
    // 32 bits: the descriptor here) and the endpoint. Drained to EAGAIN.
    if (!w.monitor) return;
    for (;;) {
        ::zmq::message_t event, endpoint;
        try {
            if (!w.monitor.recv(event, ::zmq::recv_flags::dontwait)) return;
            if (event.more()) (void)w.monitor.recv(endpoint, ::zmq::recv_flags::none);
        } catch (const ::zmq::error_t& e) {
            log_->error("monitor: receive failed: {}", e.what());
            return;
        }
        if (event.size() < sizeof(std::uint16_t)) continue;
        std::uint16_t what = 0;
        std::memcpy(&what, event.data(), sizeof what);
        if (what == ZMQ_EVENT_ACCEPTED)
            ++w.open;
        else if (what == ZMQ_EVENT_DISCONNECTED && w.open > 0)
            --w.open;
    }
}

std::optional<service::reply> bridge::limit(const std::string& peer) {
    // A peer of no address (inproc) is this process: not limited.
    if (peer.empty()) return std::nullopt;
    std::lock_guard lock(limiter_mu_);
    return limiter_.take(peer);
}

void bridge::read_requests() {
    for (int i = 0; i < read_batch && in_flight_.size() < opts_.max_in_flight; ++i) {
        bool refused = false;
        std::string peer;
        std::optional<std::vector<::zmq::message_t>> frames;
        try {
            frames = receive_bounded(refused, peer);
        } catch (const ::zmq::error_t& e) {
            log_->warn("ingest: receive failed: {}", e.what());
            return;
        }
        if (!frames)
            return;
        if (!refused)
            handle_request(std::move(*frames), std::move(peer));
    }
}

std::optional<std::vector<::zmq::message_t>> bridge::receive_bounded(bool& refused,
                                                                    std::string& peer) {
    // Frame by frame, so that a message past its bounds is dropped as it is
    // read (and its envelope never echoed) instead of being kept whole
    // until the token is checked.
    std::vector<::zmq::message_t> frames(1);
    if (!router_.recv(frames[0], ::zmq::recv_flags::dontwait))
        return std::nullopt;
    std::size_t count = 1;
    std::size_t bytes = frames[0].size();
    bool more = frames[0].more();
    bool peer_read = false; // from a frame off the wire: the identity frame has no metadata
    while (more) {
        ::zmq::message_t part;
        (void)router_.recv(part, ::zmq::recv_flags::none); // the rest has arrived with it
        more = part.more();
        if (!peer_read) {
            peer = peer_of(part);
            peer_read = true;
        }
        ++count;
        bytes += part.size();
        if (count <= opts_.max_frames && bytes <= opts_.max_message_bytes)
            frames.push_back(std::move(part));
        // else dropped here: only the identity and a delimiter are kept
    }
    // Every message counts against its peer's bucket, a refused one too; over
    // it, the message is answered 429 before anything else is looked at.
    const bool within = count <= opts_.max_frames && bytes <= opts_.max_message_bytes;
    if (auto limited = limit(peer)) {
        refused = true;
        // A message within bounds keeps its envelope, so that a pipelining
        // client can match the refusal by its tag.
        if (within && frames.size() > 1)
            frames.pop_back();
        refuse_message(std::move(frames), peer, "rate_limited",
                       "over its per-address limit (limits.per_address)", std::move(*limited),
                       within);
        return frames;
    }
    if (within)
        return frames;
    refused = true;
    std::string code, why;
    int status = 400;
    if (count > opts_.max_frames) {
        code = "too_many_frames";
        why = "A message may have at most " + std::to_string(opts_.max_frames) +
              " frames, the envelope included.";
    } else {
        status = 413;
        code = "message_too_large";
        why = "A message may be at most " + std::to_string(opts_.max_message_bytes) +
              " bytes, every frame together.";
    }
    refuse_message(std::move(frames), peer, code, why, service::error_reply(status, code, why),
                   false);
    return frames;
}

void bridge::refuse_message(std::vector<::zmq::message_t> frames, const std::string& peer,
                            const std::string& code, const std::string& why,
                            service::reply answer, bool whole_envelope) {
    ++requests_received_;
    // A message past its bounds is answered on the identity, with the empty
    // delimiter a REQ client needs if there was one; never on its frames.
    std::vector<::zmq::message_t> envelope;
    if (whole_envelope) {
        envelope = std::move(frames);
    } else {
        envelope.push_back(std::move(frames[0]));
        if (frames.size() > 1 && frames[1].size() == 0)
            envelope.push_back(std::move(frames[1]));
    }
    const auto id = next_request_++;
    in_flight_.emplace(id, std::move(envelope));
    mail_->post_reply({id, std::move(answer)});
    log_refusal(peer, code, why);
}

void bridge::log_refusal(const std::string& peer, const std::string& code,
                         const std::string& why) {
    // Logged once a minute per peer: a refused client that repeats itself
    // must not flood the journal. The memory of peers is bounded.
    const auto now = std::chrono::steady_clock::now();
    auto& last = refusal_logged_[peer];
    if (last == std::chrono::steady_clock::time_point{} || now - last >= std::chrono::minutes(1)) {
        last = now;
        log_->warn("ingest: message from {} refused ({}): {}",
                   peer.empty() ? "an unknown address" : peer, code, why);
    }
    if (refusal_logged_.size() > max_refused_remembered)
        refusal_logged_.clear();
}

void bridge::handle_request(std::vector<::zmq::message_t> frames, std::string peer) {
    ++requests_received_;
    // The ROUTER's identity frame is always first; with nothing after it the
    // payload is empty, and the service answers that like any bad payload.
    std::string payload;
    if (frames.size() > 1) {
        payload = frames.back().to_string();
        frames.pop_back();
    }
    const auto id = next_request_++;
    in_flight_.emplace(id, std::move(frames));
    log_->debug("request {}: {} bytes", id, payload.size());
    auto done = [mail = mail_, logger = log_, id](service::reply r) {
        if (!mail->post_reply({id, std::move(r)}))
            logger->debug("answer to request {} came after stop; dropped", id);
    };
    try {
        submit_(std::move(payload), std::move(peer), std::move(done));
    } catch (const std::exception& e) {
        log_->error("the service refused request {} by throwing: {}", id, e.what());
        mail_->post_reply({id, service::error_reply(503, "unavailable",
                                                    "The service could not take the "
                                                    "submission; try again later.")});
    }
}

void bridge::deliver(mailbox_batch batch) {
    for (auto& r : batch.replies)
        send_reply(std::move(r));
    for (const auto& e : batch.events)
        send_event(e);
}

void bridge::send_reply(queued_reply q) {
    auto it = in_flight_.find(q.request);
    if (it == in_flight_.end()) {
        log_->warn("a second answer to request {} was ignored", q.request);
        return;
    }
    auto envelope = std::move(it->second);
    in_flight_.erase(it);
    ::zmq::message_t body(reply_frame(q.answer));
    try {
        // With ROUTER_MANDATORY only the first frame can fail: EHOSTUNREACH
        // when the client has gone, EAGAIN (an empty result) when it is full.
        if (!router_.send(envelope.front(),
                          ::zmq::send_flags::sndmore | ::zmq::send_flags::dontwait)) {
            ++replies_dropped_;
            log_->warn("reply to request {} dropped: the client is not reading", q.request);
            return;
        }
        for (std::size_t i = 1; i < envelope.size(); ++i)
            router_.send(envelope[i], ::zmq::send_flags::sndmore | ::zmq::send_flags::dontwait);
        router_.send(body, ::zmq::send_flags::dontwait);
        ++replies_sent_;
        log_->debug("reply {}: status {}", q.request, q.answer.status);
    } catch (const ::zmq::error_t& e) {
        auto& counter = e.num() == EHOSTUNREACH ? replies_unroutable_ : replies_dropped_;
        ++counter;
        log_->warn("reply to request {} dropped: {}", q.request,
                   e.num() == EHOSTUNREACH ? "the client has gone" : e.what());
    }
}

void bridge::send_event(const queued_event& e) {
    try {
        // A PUB never blocks: at a subscriber's SNDHWM it drops for that one.
        pub_.send(::zmq::buffer(e.topic), ::zmq::send_flags::sndmore | ::zmq::send_flags::dontwait);
        pub_.send(::zmq::buffer(e.json), ::zmq::send_flags::dontwait);
        ++events_published_;
    } catch (const ::zmq::error_t& err) {
        ++events_dropped_;
        log_->warn("event {} not published: {}", e.topic, err.what());
    }
}

void bridge::answer_zap() {
    for (int i = 0; i < read_batch; ++i) {
        std::vector<::zmq::message_t> frames;
        try {
            if (!::zmq::recv_multipart(zap_, std::back_inserter(frames),
                                       ::zmq::recv_flags::dontwait))
                return;
        } catch (const ::zmq::error_t& e) {
            log_->error("ZAP: receive failed: {}", e.what());
            return;
        }
        std::vector<std::string> request;
        for (const auto& f : frames)
            request.push_back(f.to_string());
        // The accept of this connection was sent to the monitor before its
        // handshake began, so the count read now includes it.
        read_monitor(ingest_watch_);
        read_monitor(publish_watch_);
        const auto socket = socket_of(request);
        const auto& w = socket == zap_socket::publish ? publish_watch_ : ingest_watch_;
        const bool full = w.open > static_cast<std::int64_t>(opts_.max_connections);
        const auto verdict = zap_policy_.decide(request, full);
        if (!verdict.allowed) ++connections_refused_;
        log_verdict(verdict);
        std::vector<::zmq::const_buffer> reply;
        for (const auto& f : verdict.frames)
            reply.push_back(::zmq::buffer(f));
        try {
            ::zmq::send_multipart(zap_, reply);
        } catch (const ::zmq::error_t& e) {
            log_->error("ZAP: reply failed: {}", e.what());
        }
    }
}

void bridge::log_verdict(const zap_verdict& v) {
    if (v.allowed) {
        full_warned_ = false;
        log_->debug("connection from {} allowed{}", v.address,
                    v.client.empty() ? "" : " (key " + v.client + ")");
        return;
    }
    if (v.full) {
        // Once per episode: warned at the first refusal, and again only after
        // a connection has been let in since.
        const bool first = !full_warned_;
        full_warned_ = true;
        log_->log(first ? spdlog::level::warn : spdlog::level::debug,
                  "connection from {} refused: too many connections (more than "
                  "zmq.max_connections, {}){}",
                  v.address, opts_.max_connections,
                  first ? "; more refusals at debug level until one is let in" : "");
        return;
    }
    // A refused client reconnects every few hundred milliseconds: warn once
    // per key (or address), then only at debug level.
    const auto who = v.client.empty() ? v.address : v.client;
    const bool first =
        refused_seen_.size() < max_refused_remembered && refused_seen_.insert(who).second;
    auto level = first ? spdlog::level::warn : spdlog::level::debug;
    log_->log(level, "connection from {} refused: {}{}", v.address, v.reason,
              v.client.empty() ? "" : " (key " + v.client + ")");
}

void bridge::finish() {
    // Close the mailbox first: an answer after this is dropped, not lost in
    // a queue nobody reads.
    mail_->close();
    deliver(mail_->take());
    if (!in_flight_.empty())
        log_->info("{} requests still awaited the service at stop; their answers are dropped",
                   in_flight_.size());
    in_flight_.clear();
    log_->info("bridge thread stopped");
}

} // namespace opel::zmq
