// ingest_load: the timed ingest phase of bench/compare. Ingest is timed on
// its own: the generator runs flat out through a warm-up, then counts only
// the answers that arrive in the measured window that follows, and reads
// the CPU time of the server, of the webhook receiver and of itself at the
// window's two ends (/proc/PID/stat), so the table shows what each costs.
//
//   ingest_load run --shape S --port P ...   the generator (several threads)
//   ingest_load stub --port P [--zmq EP]     answers every shape at once: the
//                                            generator's ceiling, per shape
//   ingest_load receiver --port P            a webhook receiver on several
//                                            threads and many connections;
//                                            GET /count says how many POSTs
//
// Request shapes (one request is one POST or one ZeroMQ message):
//   http      opeld, POST /v1/submissions, one report
//   import    opeld, POST /v1/import, `batch` NDJSON lines (history: raises
//             no alerts, publishes no events)
//   zmq       opeld, a DEALER a thread with `window` reports in flight
//   am        Alertmanager, POST /api/v2/alerts, one alert
//   am-batch  Alertmanager, `batch` alerts a POST (Prometheus sends up to 64)
//
// Request k is practice k mod N's report; its level follows --pattern:
//   flip    round k / N even: level 4, odd: level 1; every report opens or
//           resolves that practice's alert (Alertmanager: a firing alert, or
//           the same labels posted resolved)
//   calm    level 1 always: no alert (Alertmanager: posted resolved)
//   repeat  level 4 always: after the first round, a refresh of an open alert
#include "proc_stats.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using clock_type = std::chrono::steady_clock;

namespace {

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------- requests

struct run_options {
    std::string shape = "http", pattern = "flip";
    std::string host = "127.0.0.1", zmq_endpoint, token = "demo-admin";
    unsigned short port = 0, receiver_port = 0;
    std::size_t practices = 6300, batch = 64;
    int threads = 2, connections = 64, window = 64;
    double warmup = 5, duration = 30;
    int pid = 0, receiver_pid = 0;
    bool heap = false;
    std::string json_out, system = "?", workload = "?";
    int rep = 1;
};

/// Practice n's code, PCN and place, as `compare_load practices` writes them.
std::string code_of(std::size_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%05zu", static_cast<char>('P' + n / 100000), n % 100000);
    return buf;
}

/// UTC time `offset_s` seconds from now, RFC 3339.
std::string rfc3339(long offset_s) {
    const std::time_t t = std::time(nullptr) + offset_s;
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

/// Builds the body of request k in the run's shape and pattern.
class request_maker {
public:
    explicit request_maker(const run_options& o)
        : o_(o), resolved_at_(rfc3339(-1)), started_at_(rfc3339(-3600)),
          reported_at_(rfc3339(-3600)) {}

    /// Reports a request carries.
    std::size_t items() const {
        return o_.shape == "import" || o_.shape == "am-batch" ? o_.batch : 1;
    }
    /// The HTTP target of the shape.
    const char* target() const {
        return o_.shape == "import" ? "/v1/import"
               : o_.shape.rfind("am", 0) == 0 ? "/api/v2/alerts"
                                              : "/v1/submissions";
    }
    /// The body of request k (items k .. k + items() - 1).
    std::string body(std::size_t k) const {
        std::string b;
        if (o_.shape == "import") {
            for (std::size_t i = 0; i < o_.batch; ++i)
                b += import_line(k + i);
        } else if (o_.shape == "am" || o_.shape == "am-batch") {
            b = "[";
            for (std::size_t i = 0; i < items(); ++i)
                b += (i ? "," : "") + alert(k + i);
            b += "]";
        } else {
            b = R"({"practice":")" + code_of(k % o_.practices) + R"(","level":)" +
                std::to_string(level(k)) +
                (o_.shape == "zmq" ? R"(,"token":")" + o_.token + "\"}" : std::string("}"));
        }
        return b;
    }

private:
    int level(std::size_t k) const {
        if (o_.pattern == "calm")
            return 1;
        if (o_.pattern == "repeat")
            return 4;
        return (k / o_.practices) % 2 == 0 ? 4 : 1;
    }
    std::string import_line(std::size_t k) const {
        return R"({"practice":")" + code_of(k % o_.practices) + R"(","level":)" +
               std::to_string(level(k)) + R"(,"reported_at":")" + reported_at_ +
               R"(","note":")" + std::to_string(k) + "\"}\n";
    }
    std::string alert(std::size_t k) const {
        const std::size_t p = k % o_.practices;
        const int l = level(k);
        std::string a = R"({"labels":{"alertname":"OpelEscalation","practice":")" + code_of(p) +
                        R"(","pcn":"Bench PCN )" + std::to_string(p / 5) +
                        R"(","place":"place)" + std::to_string(p / 150) +
                        R"("},"annotations":{"level":")" + std::to_string(l) + "\"}";
        if (l < 3)  // levels 1 and 2 are posted resolved, as a user would
            a += R"(,"startsAt":")" + started_at_ + R"(","endsAt":")" + resolved_at_ + "\"";
        return a + "}";
    }
    const run_options& o_;
    std::string resolved_at_, started_at_, reported_at_;
};

// ---------------------------------------------------------------- generator

/// What every worker shares: the next request index and the window.
struct shared_state {
    std::atomic<std::size_t> next{0};
    std::int64_t window_start = 0, window_end = 0;
    std::atomic<bool> stop{false};
    std::atomic<bool> error_shown{false};
};

/// One thread's counts; read only after the thread has finished.
struct counters {
    std::uint64_t items = 0, requests = 0, errors = 0;
};

/// Counts an answer: its items when 2xx and inside the window.
void count_answer(shared_state& st, counters& c, bool ok, std::size_t items,
                  const std::string& why) {
    const auto t = now_ns();
    if (t < st.window_start || t >= st.window_end)
        return;
    if (ok) {
        c.items += items;
        ++c.requests;
        return;
    }
    ++c.errors;
    if (!st.error_shown.exchange(true))
        std::fprintf(stderr, "ingest_load: refused: %s\n", why.substr(0, 300).c_str());
}

/// The reports an answer says were stored: an import's `imported`, else all.
std::size_t items_in(const std::string& answer, std::size_t sent, bool import) {
    if (!import)
        return sent;
    const auto at = answer.find("\"imported\":");
    return at == std::string::npos ? 0 : std::stoul(answer.substr(at + 11));
}

/// One keep-alive HTTP connection sending requests back to back.
class http_conn : public std::enable_shared_from_this<http_conn> {
public:
    http_conn(asio::io_context& ioc, const run_options& o, const request_maker& m,
              shared_state& st, counters& c)
        : stream_(ioc), o_(o), m_(m), st_(st), c_(c) {}

    void start(const asio::ip::tcp::endpoint& ep) {
        stream_.async_connect(ep, [self = shared_from_this()](beast::error_code ec) {
            if (ec)
                return;
            self->stream_.socket().set_option(asio::ip::tcp::no_delay(true));
            self->do_send();
        });
    }

private:
    void do_send() {
        if (st_.stop)
            return;
        const std::size_t k = st_.next.fetch_add(m_.items());
        req_ = {http::verb::post, m_.target(), 11};
        req_.set(http::field::host, o_.host);
        if (o_.shape == "http" || o_.shape == "import")
            req_.set(http::field::authorization, "Bearer " + o_.token);
        req_.set(http::field::content_type,
                 o_.shape == "import" ? "application/x-ndjson" : "application/json");
        req_.body() = m_.body(k);
        req_.prepare_payload();
        http::async_write(stream_, req_, [self = shared_from_this()](beast::error_code ec,
                                                                     std::size_t) {
            if (ec)
                return;
            self->res_ = {};
            http::async_read(self->stream_, self->buf_, self->res_,
                             [self](beast::error_code e, std::size_t) { self->on_read(e); });
        });
    }
    void on_read(beast::error_code ec) {
        if (ec)
            return;
        const bool ok = res_.result_int() / 100 == 2;
        const auto n = ok ? items_in(res_.body(), m_.items(), o_.shape == "import") : 0;
        count_answer(st_, c_, ok && n > 0, n,
                     std::to_string(res_.result_int()) + " " + res_.body());
        do_send();
    }

    beast::tcp_stream stream_;
    const run_options& o_;
    const request_maker& m_;
    shared_state& st_;
    counters& c_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

/// One DEALER keeping `window` reports in flight until told to stop.
void zmq_worker(zmq::context_t& ctx, const run_options& o, const request_maker& m,
                shared_state& st, counters& c) {
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::rcvtimeo, 200);
    dealer.set(zmq::sockopt::sndhwm, 0);
    dealer.connect(o.zmq_endpoint);
    int in_flight = 0;
    while (!st.stop) {
        for (; in_flight < o.window; ++in_flight) {
            const auto body = m.body(st.next.fetch_add(1));
            dealer.send(zmq::buffer(body), zmq::send_flags::none);
        }
        zmq::message_t reply;
        if (!dealer.recv(reply))
            continue;
        --in_flight;
        const auto text = reply.to_string();
        count_answer(st, c, text.find("\"status\":201") != std::string::npos, 1, text);
    }
}

/// Webhook POSTs the receiver has taken so far; 0 without a receiver.
std::uint64_t receiver_posts(const std::string& host, unsigned short port) {
    if (!port)
        return 0;
    try {
        asio::io_context ioc;
        beast::tcp_stream s(ioc);
        s.connect({asio::ip::make_address(host), port});
        http::request<http::empty_body> req{http::verb::get, "/count", 11};
        req.set(http::field::host, host);
        http::write(s, req);
        beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        return std::stoull(res.body());
    } catch (const std::exception&) {
        return 0;
    }
}

/// CPU seconds of the server, the receiver and this generator, and the
/// receiver's count, read together at one end of the window.
struct sample {
    double server = 0, receiver = 0, generator = 0;
    std::uint64_t posts = 0;
};

sample take_sample(const run_options& o) {
    sample s;
    s.server = o.pid ? bench::cpu_seconds(o.pid) : 0;
    s.receiver = o.receiver_pid ? bench::cpu_seconds(o.receiver_pid) : 0;
    s.generator = bench::cpu_seconds(static_cast<int>(getpid()));
    s.posts = receiver_posts(o.host, o.receiver_port);
    return s;
}

/// Starts the workers; they run until `st.stop`.
std::vector<std::thread> start_workers(const run_options& o, const request_maker& m,
                                       shared_state& st, std::vector<counters>& cs,
                                       std::vector<std::unique_ptr<asio::io_context>>& iocs,
                                       zmq::context_t& zctx) {
    std::vector<std::thread> ts;
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    for (int t = 0; t < o.threads; ++t) {
        if (o.shape == "zmq") {
            ts.emplace_back([&, t] { zmq_worker(zctx, o, m, st, cs[std::size_t(t)]); });
            continue;
        }
        iocs.push_back(std::make_unique<asio::io_context>(1));
        auto& ioc = *iocs.back();
        for (int i = t; i < o.connections; i += o.threads)
            std::make_shared<http_conn>(ioc, o, m, st, cs[std::size_t(t)])->start(ep);
        ts.emplace_back([&ioc] { ioc.run(); });
    }
    return ts;
}

int run(const run_options& o) {
    const request_maker m(o);
    shared_state st;
    const auto begin = clock_type::now();
    const auto w0 = begin + std::chrono::duration_cast<clock_type::duration>(
                                std::chrono::duration<double>(o.warmup));
    const auto w1 = w0 + std::chrono::duration_cast<clock_type::duration>(
                             std::chrono::duration<double>(o.duration));
    st.window_start = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          w0.time_since_epoch()).count();
    st.window_end = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        w1.time_since_epoch()).count();
    std::vector<counters> cs(static_cast<std::size_t>(o.threads));
    std::vector<std::unique_ptr<asio::io_context>> iocs;
    zmq::context_t zctx;
    auto workers = start_workers(o, m, st, cs, iocs, zctx);

    std::this_thread::sleep_until(w0);
    const sample a = take_sample(o);
    std::this_thread::sleep_until(w1);
    const sample b = take_sample(o);
    st.stop = true;
    for (auto& ioc : iocs)
        ioc->stop();
    for (auto& t : workers)
        t.join();
    counters sum;
    for (const auto& c : cs) {
        sum.items += c.items;
        sum.requests += c.requests;
        sum.errors += c.errors;
    }
    const bool am = o.shape == "am" || o.shape == "am-batch";
    const double heap = o.heap ? bench::heap_inuse_mib(o.host, o.port,
                                                       am ? "go_memstats_heap_inuse_bytes"
                                                          : "opeld_heap_inuse_bytes")
                               : -1;
    char line[1024];
    std::snprintf(
        line, sizeof line,
        R"({"kind":"ingest","system":"%s","workload":"%s","shape":"%s","rep":%d,)"
        R"("seconds":%.1f,"accepted":%llu,"requests":%llu,"errors":%llu,"accepted_per_s":%.0f,)"
        R"("webhooks_per_s":%.0f,"cpu_s":%.2f,"generator_cpu_s":%.2f,"receiver_cpu_s":%.2f,)"
        R"("rss_peak_mib":%.1f,"heap_inuse_mib":%.1f})",
        o.system.c_str(), o.workload.c_str(), o.shape.c_str(), o.rep, o.duration,
        static_cast<unsigned long long>(sum.items), static_cast<unsigned long long>(sum.requests),
        static_cast<unsigned long long>(sum.errors), double(sum.items) / o.duration,
        double(b.posts - a.posts) / o.duration, o.pid ? b.server - a.server : -1,
        b.generator - a.generator, o.receiver_pid ? b.receiver - a.receiver : -1,
        o.pid ? bench::peak_rss_mib(o.pid) : -1, heap);
    std::printf("%s\n", line);
    if (!o.json_out.empty())
        std::ofstream(o.json_out, std::ios::app) << line << '\n';
    return sum.items > 0 ? 0 : 1;
}

// ---------------------------------------------------------------- servers

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;
using handler = std::function<response(const request&)>;

/// One keep-alive connection of a server: read, answer by the handler, repeat.
class server_session : public std::enable_shared_from_this<server_session> {
public:
    server_session(asio::ip::tcp::socket s, const handler& h) : stream_(std::move(s)), h_(h) {}
    void do_read() {
        req_ = {};
        http::async_read(stream_, buf_, req_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (!ec)
                                 self->on_read();
                         });
    }

private:
    void on_read() {
        res_ = h_(req_);
        res_.keep_alive(req_.keep_alive());
        res_.prepare_payload();
        http::async_write(stream_, res_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (!ec && self->res_.keep_alive())
                                  self->do_read();
                          });
    }
    beast::tcp_stream stream_;
    const handler& h_;
    beast::flat_buffer buf_;
    request req_;
    response res_;
};

void do_accept(asio::ip::tcp::acceptor& acc, const handler& h) {
    acc.async_accept([&acc, &h](beast::error_code ec, asio::ip::tcp::socket s) {
        if (ec)
            return;
        s.set_option(asio::ip::tcp::no_delay(true));
        std::make_shared<server_session>(std::move(s), h)->do_read();
        do_accept(acc, h);
    });
}

/// Serves `h` on loopback `port` (0: any) from `threads` threads, forever.
int serve(const char* what, unsigned short port, int threads, const handler& h) {
    asio::io_context ioc(threads);
    asio::ip::tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), port});
    do_accept(acc, h);
    std::printf("%s listening on %u\n", what, acc.local_endpoint().port());
    std::fflush(stdout);
    std::vector<std::thread> ts;
    for (int i = 1; i < threads; ++i)
        ts.emplace_back([&ioc] { ioc.run(); });
    ioc.run();
    for (auto& t : ts)
        t.join();
    return 0;
}

response answer(http::status s, std::string body) {
    response r{s, 11};
    r.set(http::field::content_type, "application/json");
    r.body() = std::move(body);
    return r;
}

/// The stub's constant answer to each shape.
response stub_answer(const request& req) {
    if (req.target() == "/v1/import") {
        const auto lines = std::count(req.body().begin(), req.body().end(), '\n');
        return answer(http::status::ok,
                      R"({"imported":)" + std::to_string(lines) + R"(,"rejected":[]})");
    }
    if (req.target() == "/api/v2/alerts")
        return answer(http::status::ok, "");
    return answer(http::status::created,
                  R"({"id":1,"practice":"P00000","level":4,"themes":[],"alerts":[]})");
}

/// A ZeroMQ ROUTER bound at `endpoint` (throws if it cannot be).
zmq::socket_t zmq_router(zmq::context_t& ctx, const std::string& endpoint) {
    zmq::socket_t router(ctx, zmq::socket_type::router);
    router.set(zmq::sockopt::sndhwm, 0);
    router.set(zmq::sockopt::rcvhwm, 0);
    router.bind(endpoint);
    return router;
}

/// Answers every message on `router` with status 201, forever.
void zmq_stub(zmq::socket_t router) {
    for (;;) {
        std::vector<zmq::message_t> parts;
        if (!zmq::recv_multipart(router, std::back_inserter(parts)))
            continue;
        static const std::string reply = R"({"id":1,"status":201})";
        parts.back().rebuild(reply.data(), reply.size());
        zmq::send_multipart(router, parts);
    }
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"ingest_load: timed ingest for bench/compare"};
    cli.require_subcommand(1);
    run_options o;
    auto* r = cli.add_subcommand("run", "time one system's ingest in one request shape");
    r->add_option("--shape", o.shape)
        ->check(CLI::IsMember({"http", "import", "zmq", "am", "am-batch"}));
    r->add_option("--pattern", o.pattern)->check(CLI::IsMember({"flip", "calm", "repeat"}));
    r->add_option("--host", o.host);
    r->add_option("--port", o.port, "the HTTP port (not for zmq)");
    r->add_option("--zmq", o.zmq_endpoint, "the ZeroMQ ingest endpoint (shape zmq)");
    r->add_option("--token", o.token);
    r->add_option("--practices", o.practices)->check(CLI::PositiveNumber);
    r->add_option("--batch", o.batch, "reports a request (import, am-batch)")
        ->check(CLI::Range(1, 10000));
    r->add_option("--threads", o.threads)->check(CLI::PositiveNumber);
    r->add_option("--connections,-c", o.connections)->check(CLI::PositiveNumber);
    r->add_option("--window", o.window, "zmq: reports in flight a thread")
        ->check(CLI::PositiveNumber);
    r->add_option("--warmup", o.warmup, "seconds before the window");
    r->add_option("--duration", o.duration, "seconds of the window")->check(CLI::PositiveNumber);
    r->add_option("--pid", o.pid, "the server's pid (CPU, peak RSS)");
    r->add_option("--receiver-port", o.receiver_port, "the receiver's port (its /count)");
    r->add_option("--receiver-pid", o.receiver_pid, "the receiver's pid (CPU)");
    r->add_flag("--heap", o.heap,
                "read the heap in use from /metrics (Alertmanager's Go heap, opeld's malloc)");
    r->add_option("--json", o.json_out, "append the result line here");
    r->add_option("--system", o.system);
    r->add_option("--workload", o.workload);
    r->add_option("--rep", o.rep);

    unsigned short port = 0;
    int threads = 2;
    std::string zmq_endpoint;
    auto* s = cli.add_subcommand("stub", "answer every shape at once");
    s->add_option("--port", port);
    s->add_option("--threads", threads)->check(CLI::PositiveNumber);
    s->add_option("--zmq", zmq_endpoint, "also a ROUTER bound here");
    auto* rx = cli.add_subcommand("receiver", "take webhooks and count them");
    rx->add_option("--port", port);
    rx->add_option("--threads", threads)->check(CLI::PositiveNumber);
    CLI11_PARSE(cli, argc, argv);

    try {
        if (r->parsed())
            return run(o);
        if (s->parsed()) {
            zmq::context_t ctx;
            if (!zmq_endpoint.empty())  // bound here, so that a failure is reported
                std::thread(zmq_stub, zmq_router(ctx, zmq_endpoint)).detach();
            return serve("stub", port, threads, stub_answer);
        }
        std::atomic<std::uint64_t> posts{0};
        return serve("receiver", port, threads, [&posts](const request& req) {
            if (req.method() == http::verb::get && req.target() == "/count")
                return answer(http::status::ok, std::to_string(posts.load()));
            ++posts;
            return answer(http::status::ok, "");
        });
    } catch (const std::exception& e) {
        std::fprintf(stderr, "ingest_load: %s\n", e.what());
        return 2;
    }
}
