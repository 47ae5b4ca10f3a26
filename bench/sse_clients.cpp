// sse_clients: many concurrent Server-Sent Events clients against one opeld.
//
// One process holds `clients` connections to GET /v1/stream (all topics) on
// one Asio thread. Once every stream has its headers, a second thread submits
// `events` reports over HTTP at `rate` a second. Each client checks that the
// seq numbers it receives rise by exactly one (no gap, no repeat); at the end
// every client must have received the same first and last seq and every
// submission's status event. The daemon's resident memory (VmRSS of --pid) is
// sampled before the clients connect, once they are connected, and every
// 100 ms while events flow.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    std::string token = "demo-admin";
    int clients = 1000;
    int events = 2000;
    double rate = 200;
    int pid = 0;
};

/// VmRSS of `pid` in KiB, or 0.
long rss_kib(int pid) {
    if (pid <= 0)
        return 0;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return std::atol(line.c_str() + 6);
    return 0;
}

struct tally {
    int connected = 0;   ///< streams whose headers arrived
    int finished = 0;    ///< streams closed (by the daemon or an error)
};

/// One SSE client: reads the stream and checks the seq order.
class client : public std::enable_shared_from_this<client> {
public:
    client(asio::io_context& ioc, const options& o, tally& t) : sock_(ioc), o_(o), t_(t) {}

    void start(const asio::ip::tcp::endpoint& ep) {
        sock_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return self->fail("connect: " + ec.message());
            self->req_ = "GET /v1/stream HTTP/1.1\r\nHost: " + self->o_.host +
                         "\r\nAuthorization: Bearer " + self->o_.token +
                         "\r\nAccept: text/event-stream\r\n\r\n";
            asio::async_write(self->sock_, asio::buffer(self->req_),
                              [self](beast::error_code e, std::size_t) {
                                  if (e)
                                      return self->fail("write: " + e.message());
                                  self->read();
                              });
        });
    }

    void stop() {
        beast::error_code ec;
        sock_.shutdown(asio::ip::tcp::socket::shutdown_both, ec);
        sock_.close(ec);
    }

    std::int64_t first = 0, last = 0, received = 0, status_events = 0, gaps = 0;
    bool closed = false;
    std::string error;

private:
    void fail(std::string why) {
        if (closed)
            return;
        closed = true;
        if (error.empty())
            error = std::move(why);
        ++t_.finished;
    }

    void read() {
        sock_.async_read_some(asio::buffer(chunk_),
                              [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                                  if (ec)
                                      return self->fail("read: " + ec.message());
                                  self->buf_.append(self->chunk_.data(), n);
                                  self->parse();
                                  self->read();
                              });
    }

    void parse() {
        std::size_t at = 0;
        if (!headers_) {
            const auto end = buf_.find("\r\n\r\n");
            if (end == std::string::npos)
                return;
            if (buf_.compare(0, 12, "HTTP/1.1 200") != 0)
                return fail("answer: " + buf_.substr(0, buf_.find("\r\n")));
            headers_ = true;
            ++t_.connected;
            at = end + 4;
        }
        for (;;) {
            const auto end = buf_.find("\n\n", at);
            if (end == std::string::npos)
                break;
            frame(std::string_view(buf_).substr(at, end - at));
            at = end + 2;
        }
        buf_.erase(0, at);
    }

    void frame(std::string_view f) {
        if (f.rfind("id: ", 0) != 0)
            return; // a comment: the greeting, a heartbeat
        const auto seq = std::atoll(std::string(f.substr(4, f.find('\n') - 4)).c_str());
        if (first == 0)
            first = seq;
        else if (seq != last + 1)
            ++gaps;
        last = seq;
        ++received;
        if (f.find("\nevent: status.") != std::string_view::npos)
            ++status_events;
    }

    asio::ip::tcp::socket sock_;
    const options& o_;
    tally& t_;
    std::string req_;
    std::array<char, 16384> chunk_{};
    std::string buf_;
    bool headers_ = false;
};

/// Submits `o.events` reports over one keep-alive HTTP connection, paced.
int submit_all(const options& o, std::atomic<bool>& done) {
    asio::io_context ioc;
    beast::tcp_stream s(ioc);
    s.connect({asio::ip::make_address(o.host), o.port});
    beast::flat_buffer buf;
    int accepted = 0;
    const auto start = clock_type::now();
    const auto period = std::chrono::duration<double>(1.0 / o.rate);
    for (int i = 0; i < o.events; ++i) {
        std::this_thread::sleep_until(
            start + std::chrono::duration_cast<clock_type::duration>(period * i));
        http::request<http::string_body> req{http::verb::post, "/v1/submissions", 11};
        req.set(http::field::host, o.host);
        req.set(http::field::authorization, "Bearer " + o.token);
        req.set(http::field::content_type, "application/json");
        char body[96];
        std::snprintf(body, sizeof body, R"({"practice":"C82%03d","level":%d})", i % 132 + 1,
                      i % 2 + 1);
        req.body() = body;
        req.prepare_payload();
        http::write(s, req);
        http::response<http::string_body> res;
        http::read(s, buf, res);
        accepted += res.result_int() == 201;
    }
    done = true;
    return accepted;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"sse_clients: concurrent /v1/stream clients, memory and completeness"};
    options o;
    cli.add_option("--host", o.host);
    cli.add_option("--port", o.port);
    cli.add_option("--token", o.token);
    cli.add_option("--clients,-c", o.clients);
    cli.add_option("--events,-n", o.events, "submissions to make while the clients listen");
    cli.add_option("--rate,-r", o.rate, "submissions a second");
    cli.add_option("--pid", o.pid, "the daemon's process id, for its memory");
    CLI11_PARSE(cli, argc, argv);

    const long idle = rss_kib(o.pid);
    asio::io_context ioc;
    tally t;
    std::vector<std::shared_ptr<client>> clients;
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    for (int i = 0; i < o.clients; ++i) {
        clients.push_back(std::make_shared<client>(ioc, o, t));
        clients.back()->start(ep);
    }
    // Run until every stream is up (or has failed).
    const auto connect_by = clock_type::now() + std::chrono::seconds(30);
    while (t.connected + t.finished < o.clients && clock_type::now() < connect_by)
        ioc.run_for(std::chrono::milliseconds(10));
    ioc.run_for(std::chrono::milliseconds(500)); // let the daemon settle
    const long connected = rss_kib(o.pid);
    std::printf("%d of %d streams open (%d failed); daemon RSS idle %.1f MiB, with the "
                "streams open %.1f MiB\n",
                t.connected, o.clients, t.finished, idle / 1024.0, connected / 1024.0);
    std::fflush(stdout);

    std::atomic<bool> submitted{false};
    int accepted = 0;
    std::thread submitter([&] { accepted = submit_all(o, submitted); });
    long peak = connected;
    const auto flow_start = clock_type::now();
    while (!submitted) {
        ioc.run_for(std::chrono::milliseconds(100));
        peak = std::max(peak, rss_kib(o.pid));
    }
    submitter.join();
    // Wait for the last events to reach every client: until each has the
    // highest seq any client has seen, or 10 s of no progress.
    auto settle_by = clock_type::now() + std::chrono::seconds(10);
    std::int64_t top = 0;
    for (;;) {
        ioc.run_for(std::chrono::milliseconds(100));
        peak = std::max(peak, rss_kib(o.pid));
        std::int64_t hi = 0;
        bool all = true;
        for (const auto& c : clients)
            hi = std::max(hi, c->last);
        for (const auto& c : clients)
            all = all && (c->closed || c->last == hi);
        if (hi != top) {
            top = hi;
            settle_by = clock_type::now() + std::chrono::seconds(10);
        }
        if ((all && hi > 0) || clock_type::now() > settle_by)
            break;
    }
    const double secs = std::chrono::duration<double>(clock_type::now() - flow_start).count();
    const long after = rss_kib(o.pid);

    int complete = 0, cut = 0, gappy = 0;
    std::int64_t first = 0;
    for (const auto& c : clients)
        first = first == 0 ? c->first : std::min(first, c->first);
    std::string some_error;
    for (const auto& c : clients) {
        cut += c->closed;
        gappy += c->gaps > 0;
        complete += !c->closed && c->gaps == 0 && c->first == first && c->last == top &&
                    c->status_events == accepted;
        if (some_error.empty() && !c->error.empty())
            some_error = c->error;
    }
    for (const auto& c : clients)
        c->stop();
    ioc.run_for(std::chrono::milliseconds(100));

    std::printf("%d submissions (%d accepted) at %.0f/s; events seq %lld..%lld (%lld each) "
                "in %.1f s\n",
                o.events, accepted, o.rate, static_cast<long long>(first),
                static_cast<long long>(top), static_cast<long long>(top - first + 1), secs);
    std::printf("clients: %d complete (every event, in order, no gap), %d cut or failed, %d "
                "with a gap%s%s\n",
                complete, cut, gappy, some_error.empty() ? "" : "; first error: ",
                some_error.c_str());
    std::printf("daemon RSS MiB: idle %.1f, streams open %.1f, peak while events flowed %.1f, "
                "after %.1f; peak above idle %.1f MiB (%.1f KiB a client)\n",
                idle / 1024.0, connected / 1024.0, peak / 1024.0, after / 1024.0,
                (peak - idle) / 1024.0, o.clients ? double(peak - idle) / o.clients : 0.0);
    return complete == o.clients ? 0 : 1;
}
