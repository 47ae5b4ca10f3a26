// The SSE stream's state machine: authenticate → headers → replay pages from
// the store (back-pressured by the send queue) → release the live events held
// during the replay → live. A client whose queue passes its cap is cut off
// rather than buffered without bound; it resumes with Last-Event-ID.
#include "http/sse_stream.hpp"

#include "http/response.hpp"
#include "log/log.hpp"
#include "store/queries.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/socket_base.hpp>

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/http/write.hpp>

namespace opel::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

sse_stream::sse_stream(any_stream stream, connection_slot slot, router& r, event_hub& hub,
                       sse_limits limits)
    : stream_(std::move(stream)), slot_(std::move(slot)), router_(r), hub_(hub),
      limits_(limits), heartbeat_(stream_.get_executor()) {
    ++router_.services().metrics.sse_clients;
}

sse_stream::~sse_stream() {
    if (!closed_)
        --router_.services().metrics.sse_clients;
}

void sse_stream::answer_error(service::reply r) {
    auto res = make_response(std::move(r), 11, false);
    stream_.expires_after(limits_.write_timeout);
    bhttp::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code,
                                                                       std::size_t) {
        self->close();
    });
}

void sse_stream::start(const call& c) {
    slot_.bind(weak_from_this());
    std::optional<std::int64_t> since;
    // The router parsed the target; query parameters are checked here.
    for (const auto& [key, value] : c.query) {
        if (key == "topic") {
            prefix_ = value;
        } else if (key == "since_seq") {
            since = parse_seq(value);
            if (!since)
                return answer_error(bad_param("since_seq", "must be a seq number."));
        } else {
            return answer_error(bad_param(key, "is not known here."));
        }
    }
    if (auto it = c.req.find("Last-Event-ID"); it != c.req.end()) {
        since = parse_seq(it->value());
        if (!since)
            return answer_error(service::error_reply(400, "invalid_last_event_id",
                                                     "Last-Event-ID must be a seq number."));
    }
    service::reply refused;
    if (!admit(router_, c, access::reader, [&](service::reply r) { refused = std::move(r); }))
        return answer_error(std::move(refused));
    begin(since.value_or(router_.services().store.last_seq()), since.has_value());
}

void sse_stream::begin(std::int64_t since, bool replay) {
    last_sent_ = since;
    stream_.expires_never();
    // A fixed, modest kernel buffer: otherwise loopback autotuning lets a
    // client that does not read hold megabytes in the kernel before the
    // queue cap, which is what bounds memory per client, ever applies.
    beast::error_code ignored;
    stream_.socket().set_option(boost::asio::socket_base::send_buffer_size(64 * 1024), ignored);
    enqueue("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\n"
            "Connection: keep-alive\r\nX-Accel-Buffering: no\r\n\r\n: opeld stream\n\n");
    hub_key_ = hub_.add(weak_from_this());
    arm_heartbeat();
    watch_peer();
    replaying_ = replay;
    if (replay)
        fetch_page();
}

void sse_stream::fetch_page() {
    fetching_ = true;
    auto& s = router_.services();
    s.store.read([self = shared_from_this(), since = last_sent_, prefix = prefix_,
                  n = limits_.replay_page, ex = s.executor](store::sqlite::db& db) {
        std::vector<core::event> page;
        try {
            page = store::events_since(db, since, prefix, n);
        } catch (const std::exception&) {
            // An empty page ends the replay; the client sees the gap and retries.
        }
        boost::asio::post(ex, [self, page = std::move(page)]() mutable {
            self->on_page(std::move(page));
        });
    });
}

void sse_stream::on_page(std::vector<core::event> page) {
    fetching_ = false;
    if (closed_)
        return;
    page_was_full_ = page.size() == limits_.replay_page;
    for (const auto& e : page)
        send_event(e, nullptr, true);
    if (!page_was_full_)
        return finish_replay();
    // Back-pressure: the next page waits until this one is mostly written.
    if (queued_bytes_ < limits_.max_queued_bytes / 2)
        fetch_page();
}

void sse_stream::finish_replay() {
    replaying_ = false;
    while (!held_.empty() && !closed_) {
        send_event(held_.front()->event, held_.front()->frame);
        held_.pop_front();
    }
}

void sse_stream::on_event(const std::shared_ptr<const live_event>& e) {
    if (closed_ || closing_)
        return;
    if (replaying_) {
        held_.push_back(e);
        if (held_.size() > 100000)
            close(); // a replay that cannot keep up; the client resumes later
        return;
    }
    send_event(e->event, e->frame);
}

void sse_stream::send_event(const core::event& e, std::shared_ptr<const std::string> frame,
                            bool replayed) {
    if (e.seq <= last_sent_)
        return;
    last_sent_ = e.seq;
    if (!core::topic_matches(e.topic, prefix_))
        return;
    // A replayed event is this stream's alone; a live one comes with the
    // frame every stream shares.
    enqueue(frame ? std::move(frame) : std::make_shared<const std::string>(sse_frame(e)),
            replayed);
}

void sse_stream::enqueue(std::shared_ptr<const std::string> frame, bool replayed) {
    if (closed_)
        return;
    queued_bytes_ += frame->size();
    // Replayed pages are bounded by the page size and only fetched once the
    // queue has drained, so the cap is for live events a client cannot take.
    // The cap counts this stream's backlog as if it were its own copy: a
    // client that does not read is cut off at the same point as before.
    if (!replayed && queued_bytes_ > limits_.max_queued_bytes)
        return close(); // too slow a reader: cut off, it resumes by Last-Event-ID
    out_.push_back(std::move(frame));
    if (!writing_)
        do_write();
}

void sse_stream::do_write() {
    if (out_.empty()) {
        if (closing_)
            close();
        else if (replaying_ && page_was_full_ && !fetching_)
            fetch_page();
        return;
    }
    writing_ = true;
    // What is queued goes out in one gathered write, up to a bound: a stream
    // behind by many events costs one system call for them, not one each.
    // The frames stay in out_ (and alive) until the write is done.
    writing_buffers_.clear();
    std::size_t bytes = 0;
    for (const auto& frame : out_) {
        if (writing_buffers_.size() == max_frames_per_write || bytes >= max_bytes_per_write)
            break;
        writing_buffers_.push_back(boost::asio::buffer(*frame));
        bytes += frame->size();
    }
    stream_.expires_after(limits_.write_timeout);
    boost::asio::async_write(stream_, writing_buffers_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                 self->writing_ = false;
                                 if (ec)
                                     return self->close();
                                 self->queued_bytes_ -= n;
                                 self->out_.erase(self->out_.begin(),
                                                  self->out_.begin() +
                                                      static_cast<std::ptrdiff_t>(
                                                          self->writing_buffers_.size()));
                                 self->do_write();
                             });
}

void sse_stream::arm_heartbeat() {
    heartbeat_.expires_after(limits_.heartbeat);
    heartbeat_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
        if (ec || self->closed_)
            return;
        self->enqueue(": heartbeat\n\n");
        self->arm_heartbeat();
    });
}

void sse_stream::watch_peer() {
    // A client sends nothing once the stream is open, so the socket turning
    // readable means it has gone (FIN or reset): noticed now, not at the
    // failed write of a heartbeat or two later. The wait is on the bare
    // socket, outside the stream's write deadline.
    stream_.socket().async_wait(
        boost::asio::socket_base::wait_read,
        [self = shared_from_this()](const boost::system::error_code& ec) {
            if (self->closed_ || ec == boost::asio::error::operation_aborted)
                return;
            beast::error_code ignored;
            const auto pending = self->stream_.socket().available(ignored);
            if (ec || ignored || pending == 0 || self->stream_.is_tls())
                return self->close(); // gone; or (TLS) a close_notify or worse
            // Plain-text bytes from a live client: read and ignored.
            std::array<char, 512> sink{};
            self->stream_.socket().non_blocking(true, ignored);
            while (self->stream_.socket().read_some(boost::asio::buffer(sink), ignored) > 0) {
            }
            self->watch_peer();
        });
}

void sse_stream::on_shutdown() {
    if (closed_ || closing_)
        return;
    enqueue(": shutdown\n\n");
    closing_ = true;
    if (!writing_)
        do_write();
}

void sse_stream::close() {
    if (closed_)
        return;
    closed_ = true;
    // The count and the connection's place are given back now, not when the
    // last handler holding this object has run.
    slot_.release();
    const auto open = --router_.services().metrics.sse_clients;
    heartbeat_.cancel();
    if (hub_key_)
        hub_.remove(*hub_key_);
    beast::error_code ec;
    stream_.socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    stream_.close();
    log::of<"http">()->debug("event stream closed ({} open)", open);
}

} // namespace opel::http
