// The HTTP client side of webhooks. Every step has a deadline and the answer
// a size limit, so a subscriber that accepts and then stalls, or streams an
// endless body, costs one connection for at most 15 seconds. The outcome is
// reported exactly once whatever happens; nothing escapes a handler.
//
// The request is HTTP/1.1 without `Connection: close`, so the connection is
// kept for the next POST unless the peer's answer says otherwise. A kept
// connection the peer closed while it was idle fails the next POST before
// any byte of the answer: that is no failed attempt but a stale connection,
// so the POST goes again at once over a fresh one (once: a fresh connection
// failing is an attempt failing). A deadline is never retried that way, so
// an attempt lasts at most one stale send plus one fresh attempt.
#include "webhook/exchange.hpp"

#include "core/crypto.hpp"

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/field.hpp>

#include <utility>

namespace opel::webhook {

namespace bhttp = boost::beast::http;

namespace {

constexpr std::size_t answer_limit = 64 * 1024; // a subscriber's answer body is ignored

} // namespace

exchange::exchange(std::shared_ptr<connection> conn, std::string body,
                   const std::map<std::string, std::string>& headers, report done)
    : conn_(std::move(conn)), done_(std::move(done)) {
    const auto& to = conn_->to();
    req_.method(bhttp::verb::post);
    req_.target(to.target);
    req_.version(11);
    req_.set(bhttp::field::host, host_header(to));
    if (!to.credentials.empty())
        req_.set(bhttp::field::authorization, "Basic " + core::base64(to.credentials));
    req_.set(bhttp::field::user_agent, "opeld");
    req_.set(bhttp::field::content_type, "application/json");
    for (const auto& [name, value] : headers)
        req_.set(name, value);
    req_.body() = std::move(body);
    req_.prepare_payload();
}

void exchange::start() {
    if (!conn_->reusable())
        return do_open();
    reused_ = true;
    conn_->expect_answer();
    do_write();
}

void exchange::cancel() {
    cancelled_ = true;
    conn_->cancel();
}

void exchange::do_open() {
    conn_->open([self = shared_from_this()](std::string error) { self->on_open(std::move(error)); });
}

void exchange::on_open(std::string error) {
    if (!error.empty())
        return finish({false, std::move(error)}, false);
    if (cancelled_) // cancelled between two steps
        return finish({false, "cancelled"}, false);
    do_write();
}

void exchange::do_write() {
    parser_.emplace();
    parser_->body_limit(answer_limit);
    conn_->write(req_, [self = shared_from_this()](const auto& ec) { self->on_write(ec); });
}

void exchange::on_write(const boost::system::error_code& ec) {
    if (ec)
        return on_failed("send", ec);
    conn_->read(*parser_, [self = shared_from_this()](const auto& e) { self->on_read(e); });
}

void exchange::on_read(const boost::system::error_code& ec) {
    if (ec)
        return on_failed("answer", ec);
    // An answer that says `Connection: close` (or HTTP/1.0 without
    // keep-alive, or a body ended by closing) ends the connection.
    const bool keep = parser_->keep_alive() && !conn_->has_leftover();
    const auto status = parser_->get().result_int();
    if (status >= 200 && status < 300)
        return finish({true, {}, static_cast<int>(status), {}}, keep);
    finish({false, "HTTP " + std::to_string(status), static_cast<int>(status),
            std::move(parser_->get().body())},
           keep);
}

void exchange::on_failed(const char* step, const boost::system::error_code& ec) {
    const bool stale = reused_ && !cancelled_ && !parser_->got_some() &&
                       ec != boost::beast::error::timeout &&
                       ec != boost::asio::error::operation_aborted;
    if (stale) {
        reused_ = false;
        return do_open();
    }
    finish({false, describe(step, ec, connection::response_deadline)}, false);
}

void exchange::finish(outcome o, bool keep) {
    if (keep && !cancelled_)
        conn_->rest();
    else
        conn_->close();
    if (auto done = std::exchange(done_, nullptr))
        done(std::move(o));
}

} // namespace opel::webhook
