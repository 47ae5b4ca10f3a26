// compare_load: the load generator, webhook receiver and stub of
// bench/compare, which runs opeld and Prometheus Alertmanager side by side on
// the same work. One program so that both systems get the same client, the
// same receiver and the same clock.
//
//   compare_load run --api opeld|am --port P --receiver-port R ...
//       submits one report per practice (request n is practice n), over
//       keep-alive connections, either paced (--rate, latency from each
//       request's scheduled send time: no coordinated omission) or as fast as
//       answered (--rate 0). A webhook receiver on --receiver-port, in this
//       process on two threads of its own (any number of connections),
//       records when the first notification for each practice arrives (for
//       Alertmanager: the first group notification that lists it firing,
//       whatever the route groups by); the end-to-end latency is that time
//       minus the send time. With --pid it reads the server's CPU seconds
//       and peak RSS from /proc, and the heap in use from its /metrics
//       (Alertmanager's Go heap, opeld's malloc bytes); the receiver's CPU
//       is its threads', the generator's the rest of this process.
//       Appends one JSON line to --json and the sorted latencies to
//       --samples.
//   compare_load stub --api opeld|am --port P --receiver-port R
//       answers every request at once and forwards a notification in the
//       API's shape to the receiver for every level 3 or 4: the ceiling of
//       generator and receiver together.
//   compare_load practices --count N --out FILE
//       writes a practices file of N made-up practices (5 a PCN, 150 a place).
//   compare_load report --json FILE
//       prints the Markdown tables of medians and spreads over repetitions:
//       the timed ingest runs (ingest_load's lines) and these workloads.
//   compare_load free-port
//       prints a loopback TCP port that is free now.
#include "proc_stats.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
using clock_type = std::chrono::steady_clock;

namespace {

const std::vector<std::string> themes = {
    "workforce", "recruitment_retention", "high_demand", "it_systems", "telephony",
    "ari",       "strep_a",               "nhs111",      "covid",      "infection_control",
    "estates",   "backlog",               "winter_pressures", "cqc",  "other"};

/// Practice n's code: a letter and five digits, P00000 upwards.
std::string code_of(std::size_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%c%05zu", static_cast<char>('P' + n / 100000), n % 100000);
    return buf;
}

/// The index of a code made by code_of, or -1.
long index_of(std::string_view code) {
    if (code.size() != 6 || code[0] < 'P' || code[0] > 'Z')
        return -1;
    long digits = 0;
    for (char c : code.substr(1)) {
        if (c < '0' || c > '9')
            return -1;
        digits = digits * 10 + (c - '0');
    }
    return (code[0] - 'P') * 100000L + digits;
}

/// The level of request n: fixed, or "mixed" (a spread of 1 to 4, a quarter each).
int level_of(std::size_t n, int fixed) {
    if (fixed > 0)
        return fixed;
    return static_cast<int>((n * 2654435761u >> 7) % 4) + 1;
}

/// The themes of request n: none, one or two, from the default list.
std::vector<std::string> themes_of(std::size_t n) {
    std::vector<std::string> t;
    if (n % 3 != 0)
        t.push_back(themes[n % themes.size()]);
    if (n % 5 == 0) {
        const auto& second = themes[(n / 15 + 7) % themes.size()];
        if (t.empty() || t[0] != second)
            t.push_back(second);
    }
    return t;
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

std::string body_for(const std::string& api, std::size_t n, int level) {
    const auto t = themes_of(n);
    std::string list;
    for (const auto& s : t)
        list += (list.empty() ? "" : ",") + (api == "am" ? s : "\"" + s + "\"");
    if (api == "am") {
        // Labelled as a user would: the practice, its PCN and place (what
        // the route groups by); the level and themes are annotations. Levels
        // 1 and 2 are posted resolved (an end time in the past).
        static const std::string starts = rfc3339(-3600), ends = rfc3339(-1);
        std::string a = R"([{"labels":{"alertname":"OpelEscalation","practice":")" +
                        code_of(n) + R"(","pcn":"Bench PCN )" + std::to_string(n / 5) +
                        R"(","place":"place)" + std::to_string(n / 150) +
                        R"("},"annotations":{"level":")" + std::to_string(level) +
                        R"(","themes":")" + list + "\"}";
        if (level < 3)
            a += R"(,"startsAt":")" + starts + R"(","endsAt":")" + ends + "\"";
        return a + "}]";
    }
    return R"({"practice":")" + code_of(n) + R"(","level":)" + std::to_string(level) +
           R"(,"themes":[)" + list + "]}";
}

std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(
               clock_type::now().time_since_epoch())
        .count();
}

// ---------------------------------------------------------------- receiver

/// Shared between the client, the receiver and the report.
struct tally {
    explicit tally(std::size_t n) : send_ns(n), answer_ns(n), status(n), recv_ns(n) {}
    std::vector<std::int64_t> send_ns, answer_ns;
    std::vector<int> status;
    std::vector<std::atomic<std::int64_t>> recv_ns;  // first notification per practice
    std::atomic<std::uint64_t> webhooks{0}, matched{0}, other{0};
    std::atomic<std::int64_t> last_webhook_ns{0};
};

/// The practices an Alertmanager webhook notifies about: every firing alert
/// of the group (grouped by practice, by PCN or by place alike).
std::vector<long> practices_in_group(const std::string& body) {
    std::vector<long> out;
    boost::system::error_code ec;
    const auto v = json::parse(body, ec);
    const auto* alerts = !ec && v.is_object() ? v.get_object().if_contains("alerts") : nullptr;
    if (!alerts || !alerts->is_array())
        return out;
    for (const auto& a : alerts->get_array()) {
        const auto* o = a.if_object();
        const auto* st = o ? o->if_contains("status") : nullptr;
        const auto* l = o ? o->if_contains("labels") : nullptr;
        if (!st || !st->is_string() || st->get_string() != "firing" || !l || !l->is_object())
            continue;
        const auto* p = l->get_object().if_contains("practice");
        if (p && p->is_string())
            out.push_back(index_of(p->get_string()));
    }
    return out;
}

/// The practice one opeld Event notifies about (firing, practice-scoped), or -1.
long practice_of_event(const json::object& o) {
    const auto* t = o.if_contains("topic");
    if (!t || !t->is_string())
        return -1;
    const std::string_view topic = t->get_string();
    const auto at = topic.find(".practice.");
    if (topic.rfind("alert.", 0) != 0 || at == std::string_view::npos)
        return -1;
    const auto* d = o.if_contains("data");
    if (d && d->is_object()) {
        const auto* st = d->get_object().if_contains("state");
        if (st && st->is_string() && st->get_string() != "firing")
            return -1;
    }
    return index_of(topic.substr(at + 10));
}

/// The practices an opeld webhook body notifies about: its Event, or each
/// Event of a batch (`{"events": [...]}`, a subscriber with `batch`).
std::vector<long> practices_in(const std::string& body) {
    std::vector<long> out;
    boost::system::error_code ec;
    const auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return out;
    const auto* events = v.get_object().if_contains("events");
    if (!events) {
        out.push_back(practice_of_event(v.get_object()));
    } else if (events->is_array()) {
        for (const auto& e : events->get_array())
            if (e.is_object())
                out.push_back(practice_of_event(e.get_object()));
    }
    return out;
}

class receiver_session : public std::enable_shared_from_this<receiver_session> {
public:
    receiver_session(asio::ip::tcp::socket s, const std::string& api, tally& t)
        : stream_(std::move(s)), api_(api), t_(t) {}
    void do_read() {
        req_ = {};
        http::async_read(stream_, buf_, req_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             self->on_read(ec);
                         });
    }

private:
    void on_read(beast::error_code ec) {
        if (ec)
            return;
        const auto at = now_ns();
        ++t_.webhooks;
        t_.last_webhook_ns = at;
        const auto ps = api_ == "am" ? practices_in_group(req_.body()) : practices_in(req_.body());
        bool any = false;
        for (const long p : ps) {
            if (p < 0 || static_cast<std::size_t>(p) >= t_.recv_ns.size())
                continue;
            any = true;
            std::int64_t zero = 0;
            if (t_.recv_ns[static_cast<std::size_t>(p)].compare_exchange_strong(zero, at))
                ++t_.matched;
        }
        if (!any)
            ++t_.other;
        res_ = {http::status::ok, 11};
        res_.keep_alive(req_.keep_alive());
        res_.prepare_payload();
        http::async_write(stream_, res_,
                          [self = shared_from_this()](beast::error_code e, std::size_t) {
                              if (!e && self->res_.keep_alive())
                                  self->do_read();
                          });
    }
    beast::tcp_stream stream_;
    const std::string& api_;
    tally& t_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::empty_body> res_;
};

void do_accept(asio::ip::tcp::acceptor& acc, const std::string& api, tally& t) {
    acc.async_accept([&acc, &api, &t](beast::error_code ec, asio::ip::tcp::socket s) {
        if (ec)
            return;
        s.set_option(asio::ip::tcp::no_delay(true));
        std::make_shared<receiver_session>(std::move(s), api, t)->do_read();
        do_accept(acc, api, t);
    });
}

// ---------------------------------------------------------------- client

struct run_options {
    std::string api = "opeld";
    std::string host = "127.0.0.1";
    unsigned short port = 0, receiver_port = 0;
    std::string token = "demo-admin";
    std::size_t count = 6300;
    int level = 0;  // 0: mixed
    double rate = 0;
    int connections = 64;
    double wait = 60, idle = 10;
    int pid = 0;
    std::string json_out, samples_out, system = "?", workload = "?";
    int rep = 1;
};

class client : public std::enable_shared_from_this<client> {
public:
    client(asio::io_context& ioc, const run_options& o, tally& t, std::size_t& next,
           std::size_t first, clock_type::time_point start)
        : stream_(ioc), o_(o), t_(t), next_(next), n_(first), start_(start), timer_(ioc) {}

    void run(const asio::ip::tcp::endpoint& ep) {
        beast::error_code ec;
        stream_.connect(ep, ec);
        if (ec)
            throw std::runtime_error("cannot connect to " + ep.address().to_string() + ":" +
                                     std::to_string(ep.port()) + ": " + ec.message());
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
        do_next();
    }

private:
    void do_next() {
        if (o_.rate <= 0)
            n_ = next_++;
        if (n_ >= o_.count)
            return;
        if (o_.rate > 0) {
            due_ = start_ + std::chrono::duration_cast<clock_type::duration>(
                                std::chrono::duration<double>(double(n_) / o_.rate));
            if (due_ > clock_type::now()) {
                timer_.expires_at(due_);
                timer_.async_wait([self = shared_from_this()](beast::error_code) {
                    self->do_send();
                });
                return;
            }
        } else {
            due_ = clock_type::now();
        }
        do_send();
    }

    void do_send() {
        const bool am = o_.api == "am";
        req_ = {http::verb::post, am ? "/api/v2/alerts" : "/v1/submissions", 11};
        req_.set(http::field::host, o_.host);
        if (!am)
            req_.set(http::field::authorization, "Bearer " + o_.token);
        req_.set(http::field::content_type, "application/json");
        req_.body() = body_for(o_.api, n_, level_of(n_, o_.level));
        req_.prepare_payload();
        t_.send_ns[n_] = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             due_.time_since_epoch())
                             .count();
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
        if (ec) {
            std::fprintf(stderr, "connection lost: %s\n", ec.message().c_str());
            return;
        }
        t_.answer_ns[n_] = now_ns();
        t_.status[n_] = static_cast<int>(res_.result_int());
        if (o_.rate > 0)
            n_ += static_cast<std::size_t>(o_.connections);
        do_next();
    }

    beast::tcp_stream stream_;
    const run_options& o_;
    tally& t_;
    std::size_t& next_;
    std::size_t n_;
    clock_type::time_point start_, due_;
    asio::steady_timer timer_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

double pct(const std::vector<double>& sorted, double p) {
    return sorted.empty() ? 0 : sorted[static_cast<std::size_t>(p * double(sorted.size() - 1))];
}

int run(const run_options& o) {
    tally t(o.count);
    // The receiver: two threads, any number of connections (Alertmanager
    // opens one a group it notifies at once), its CPU read per thread.
    asio::io_context rx_ioc(2);
    asio::ip::tcp::acceptor acc(rx_ioc, {asio::ip::make_address("127.0.0.1"), o.receiver_port});
    do_accept(acc, o.api, t);
    std::atomic<int> rx_tid[2] = {0, 0};
    std::vector<std::thread> rx;
    // Stopped and joined however run() leaves: a server that refuses the
    // connection throws below, and a joinable thread destroyed terminates.
    struct receiver_threads {
        asio::io_context& ioc;
        std::vector<std::thread>& threads;
        ~receiver_threads() {
            ioc.stop();
            for (auto& th : threads)
                if (th.joinable())
                    th.join();
        }
    } rx_guard{rx_ioc, rx};
    for (int i = 0; i < 2; ++i)
        rx.emplace_back([&, i] {
            rx_tid[i] = static_cast<int>(gettid());
            rx_ioc.run();
        });

    const double cpu0 = o.pid ? bench::cpu_seconds(o.pid) : 0;
    asio::io_context ioc(1);
    std::size_t next = 0;
    const auto start = clock_type::now() + std::chrono::milliseconds(100);
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    // No more connections than requests: a paced connection sends every
    // `connections`-th request, so each must exist.
    run_options co = o;
    co.connections = static_cast<int>(std::min<std::size_t>(
        static_cast<std::size_t>(o.connections), std::max<std::size_t>(o.count, 1)));
    for (int i = 0; i < co.connections; ++i)
        std::make_shared<client>(ioc, co, t, next, static_cast<std::size_t>(i), start)->run(ep);
    ioc.run();

    std::size_t expected = 0, accepted = 0;
    for (std::size_t n = 0; n < o.count; ++n) {
        const bool ok = t.status[n] / 100 == 2;
        accepted += ok;
        expected += ok && level_of(n, o.level) >= 3;
    }
    // Wait for the notifications: all expected, or none new for `idle` s, or `wait` s.
    const auto sent_all = clock_type::now();
    while (t.matched < expected) {
        const double since_sent =
            std::chrono::duration<double>(clock_type::now() - sent_all).count();
        const auto last = t.last_webhook_ns.load();
        const double quiet = last ? double(now_ns() - last) / 1e9 : since_sent;
        if (since_sent > o.wait || quiet >= o.idle)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    const double cpu = o.pid ? bench::cpu_seconds(o.pid) - cpu0 : -1;
    const double rss = o.pid ? bench::peak_rss_mib(o.pid) : -1;
    const double heap = bench::heap_inuse_mib(
        o.host, o.port, o.api == "am" ? "go_memstats_heap_inuse_bytes" : "opeld_heap_inuse_bytes");
    double rx_cpu = 0;
    for (const auto& tid : rx_tid)
        rx_cpu += bench::thread_cpu_seconds(tid);
    rx_ioc.stop();
    for (auto& th : rx)
        th.join();

    std::int64_t first_send = INT64_MAX, last_answer = 0, last_recv = 0;
    std::vector<double> lat, ans;
    for (std::size_t n = 0; n < o.count; ++n) {
        if (!t.status[n])
            continue;
        first_send = std::min(first_send, t.send_ns[n]);
        last_answer = std::max(last_answer, t.answer_ns[n]);
        ans.push_back(double(t.answer_ns[n] - t.send_ns[n]) / 1e6);
        const auto r = t.recv_ns[n].load();
        if (r && t.status[n] / 100 == 2 && level_of(n, o.level) >= 3) {
            lat.push_back(double(r - t.send_ns[n]) / 1e6);
            last_recv = std::max(last_recv, r);
        }
    }
    std::sort(lat.begin(), lat.end());
    std::sort(ans.begin(), ans.end());
    const double secs = double(last_answer - first_send) / 1e9;
    const double drain = last_recv ? double(last_recv - first_send) / 1e9 : 0;
    rusage self{};
    getrusage(RUSAGE_SELF, &self);
    const double gen_cpu = double(self.ru_utime.tv_sec + self.ru_stime.tv_sec) +
                           double(self.ru_utime.tv_usec + self.ru_stime.tv_usec) / 1e6 -
                           rx_cpu;
    char line[1024];
    std::snprintf(
        line, sizeof line,
        R"({"system":"%s","workload":"%s","rep":%d,"requests":%zu,"accepted":%zu,)"
        R"("seconds":%.3f,"accepted_per_s":%.0f,"answer_ms":{"p50":%.3f,"p99":%.3f},)"
        R"("notify_expected":%zu,"notified":%zu,"webhooks":%llu,"other_webhooks":%llu,)"
        R"("latency_ms":{"p50":%.3f,"p95":%.3f,"p99":%.3f,"max":%.3f},"drain_s":%.3f,)"
        R"("rss_peak_mib":%.1f,"heap_inuse_mib":%.1f,"cpu_s":%.2f,"generator_cpu_s":%.2f,)"
        R"("receiver_cpu_s":%.2f})",
        o.system.c_str(), o.workload.c_str(), o.rep, o.count, accepted, secs,
        secs > 0 ? double(accepted) / secs : 0, pct(ans, 0.5), pct(ans, 0.99), expected,
        lat.size(), static_cast<unsigned long long>(t.webhooks.load()),
        static_cast<unsigned long long>(t.other.load()), pct(lat, 0.5), pct(lat, 0.95),
        pct(lat, 0.99), lat.empty() ? 0 : lat.back(), drain, rss, heap, cpu, gen_cpu, rx_cpu);
    std::printf("%s\n", line);
    if (!o.json_out.empty())
        std::ofstream(o.json_out, std::ios::app) << line << '\n';
    if (!o.samples_out.empty()) {
        std::ofstream s(o.samples_out);
        // At most ~1,000 points of the distribution: latency and its quantile.
        const std::size_t step = std::max<std::size_t>(1, lat.size() / 1000);
        for (std::size_t i = 0; i < lat.size(); i += step)
            s << lat[i] << ' ' << double(i + 1) / double(lat.size()) << '\n';
        if (!lat.empty())
            s << lat.back() << " 1\n";
    }
    return accepted == o.count && lat.size() == expected ? 0 : 1;
}

// ---------------------------------------------------------------- stub

/// Forwards notifications to the receiver from one thread, in order.
class forwarder {
public:
    explicit forwarder(unsigned short port) : port_(port), thread_([this] { loop(); }) {}
    void push(std::string body) {
        {
            std::lock_guard lock(m_);
            q_.push_back(std::move(body));
        }
        cv_.notify_one();
    }

private:
    void loop() {
        asio::io_context ioc;
        beast::tcp_stream s(ioc);
        bool connected = false;
        beast::flat_buffer buf;
        for (;;) {
            std::string body;
            {
                std::unique_lock lock(m_);
                cv_.wait(lock, [&] { return !q_.empty(); });
                body = std::move(q_.front());
                q_.pop_front();
            }
            beast::error_code ec;
            if (!connected) {
                s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_),
                          ec);
                if (ec)
                    continue;
                s.socket().set_option(asio::ip::tcp::no_delay(true));
                connected = true;
            }
            http::request<http::string_body> req{http::verb::post, "/hook", 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::content_type, "application/json");
            req.body() = std::move(body);
            req.prepare_payload();
            http::write(s, req, ec);
            http::response<http::string_body> res;
            if (!ec)
                http::read(s, buf, res, ec);
            if (ec) {
                s.close();
                connected = false;
            }
        }
    }
    unsigned short port_;
    std::mutex m_;
    std::condition_variable cv_;
    std::deque<std::string> q_;
    std::thread thread_;
};

/// The digit after `key` in `body`, or 0.
int digit_after(const std::string& body, std::string_view key) {
    const auto at = body.find(key);
    return at == std::string::npos || at + key.size() >= body.size()
               ? 0
               : body[at + key.size()] - '0';
}

void stub_session(asio::ip::tcp::socket s, const std::string& api, forwarder& fwd) {
    beast::flat_buffer buf;
    beast::error_code ec;
    for (std::uint64_t seq = 1;; ++seq) {
        http::request<http::string_body> req;
        http::read(s, buf, req, ec);
        if (ec)
            return;
        const auto& b = req.body();
        const auto pa = b.find("\"practice\":\"");
        const std::string code = pa == std::string::npos ? "" : b.substr(pa + 12, 6);
        if (api == "am") {
            if (digit_after(b, "\"level\":\"") >= 3)
                fwd.push(R"({"status":"firing","alerts":[{"status":"firing","labels":{"practice":")" +
                         code + "\"}}]}");
        } else if (const int level = digit_after(b, "\"level\":"); level >= 3) {
            fwd.push(R"({"seq":)" + std::to_string(seq) + R"(,"topic":"alert.L)" +
                     std::to_string(level) + ".practice." + code +
                     R"(","data":{"state":"firing"}})");
        }
        http::response<http::string_body> res{api == "am" ? http::status::ok
                                                          : http::status::created,
                                              11};
        res.set(http::field::content_type, "application/json");
        res.body() = api == "am" ? "" : R"({"id":1,"alerts":[]})";
        res.keep_alive(true);
        res.prepare_payload();
        http::write(s, res, ec);
        if (ec)
            return;
    }
}

int run_stub(const std::string& api, unsigned short port, unsigned short receiver_port) {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), port});
    forwarder fwd(receiver_port);
    std::printf("stub listening on %u\n", acc.local_endpoint().port());
    std::fflush(stdout);
    for (;;) {
        auto s = acc.accept();
        s.set_option(asio::ip::tcp::no_delay(true));
        std::thread(stub_session, std::move(s), std::cref(api), std::ref(fwd)).detach();
    }
}

// ---------------------------------------------------------------- others

int write_practices(std::size_t count, const std::string& out) {
    std::ofstream f(out);
    f << "# " << count << " made-up practices for bench/compare: 5 a PCN, 150 a place.\n"
      << "practices:\n";
    for (std::size_t n = 0; n < count; ++n)
        f << "  - code: " << code_of(n) << "\n    name: Bench Practice " << n
          << "\n    pcn: Bench PCN " << n / 5 << "\n    place: place" << n / 150 << '\n';
    return f ? 0 : 1;
}

double median(std::vector<double> v) {
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    const auto m = v.size() / 2;
    return v.size() % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

/// "median (min-max)" of one field over the repetitions.
std::string spread(const std::vector<json::object>& runs, const char* group, const char* key,
                   const char* fmt) {
    std::vector<double> v;
    for (const auto& r : runs) {
        const json::value* x = group ? r.at(group).as_object().if_contains(key) : r.if_contains(key);
        if (x && x->to_number<double>() >= 0)  // -1: not measured
            v.push_back(x->to_number<double>());
    }
    if (v.empty())
        return "";
    char m[32], lo[32], hi[32];
    std::snprintf(m, sizeof m, fmt, median(v));
    std::snprintf(lo, sizeof lo, fmt, *std::min_element(v.begin(), v.end()));
    std::snprintf(hi, sizeof hi, fmt, *std::max_element(v.begin(), v.end()));
    return v.size() == 1 ? std::string(m) : std::string(m) + " (" + lo + "–" + hi + ")";
}

using run_group = std::vector<json::object>;
using grouped = std::pair<std::vector<std::string>, std::map<std::string, run_group>>;

/// The runs of a results file grouped by `key` (in first-seen order).
void group_by(grouped& g, json::object o, const std::string& key) {
    if (!g.second.count(key))
        g.first.push_back(key);
    g.second[key].push_back(std::move(o));
}

std::string field(const json::object& o, const char* k) {
    const auto* v = o.if_contains(k);
    return v && v->is_string() ? std::string(v->get_string()) : "";
}

/// The timed ingest table, then whether the stub outran each system at
/// least twice in the same request shape (else the generator limited it).
void report_ingest(grouped& g) {
    std::printf("| workload | shape | system | runs | accepted/s | webhooks/s | CPU s | "
                "generator CPU s | receiver CPU s | peak RSS MiB | heap in use MiB | "
                "errors |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
                "| --- |\n");
    std::map<std::string, double> stub, fastest;
    for (const auto& key : g.first) {
        const auto& runs = g.second[key];
        const auto& r0 = runs.front();
        std::uint64_t errors = 0;
        for (const auto& r : runs)
            errors += static_cast<std::uint64_t>(r.at("errors").to_number<double>());
        std::printf("| %s | %s | %s | %zu | %s | %s | %s | %s | %s | %s | %s | %llu |\n",
                    field(r0, "workload").c_str(), field(r0, "shape").c_str(),
                    field(r0, "system").c_str(), runs.size(),
                    spread(runs, nullptr, "accepted_per_s", "%.0f").c_str(),
                    spread(runs, nullptr, "webhooks_per_s", "%.0f").c_str(),
                    spread(runs, nullptr, "cpu_s", "%.1f").c_str(),
                    spread(runs, nullptr, "generator_cpu_s", "%.1f").c_str(),
                    spread(runs, nullptr, "receiver_cpu_s", "%.1f").c_str(),
                    spread(runs, nullptr, "rss_peak_mib", "%.0f").c_str(),
                    spread(runs, nullptr, "heap_inuse_mib", "%.0f").c_str(),
                    static_cast<unsigned long long>(errors));
        std::vector<double> v;
        for (const auto& r : runs)
            v.push_back(r.at("accepted_per_s").to_number<double>());
        const bool is_stub = field(r0, "system").rfind("stub", 0) == 0;  // stub, stub-am
        auto& slot = is_stub ? stub[field(r0, "shape")] : fastest[field(r0, "shape")];
        slot = std::max(slot, median(v));
    }
    std::printf("\nGenerator check (the stub's median must be at least 2x the fastest "
                "system's in the same shape):\n\n");
    for (const auto& [shape, best] : fastest) {
        const double ceiling = stub.count(shape) ? stub[shape] : 0;
        std::printf("- %s: stub %.0f/s, fastest system %.0f/s: %s\n", shape.c_str(), ceiling,
                    best,
                    ceiling == 0          ? "no stub run"
                    : ceiling >= 2 * best ? "ok"
                                          : "NOT MET: the generator limits this shape");
    }
    std::printf("\n");
}

/// The latency workloads' table: medians and spreads over repetitions.
void report_latency(grouped& g) {
    std::printf("| workload | system | runs | accepted/s | webhook p50 ms | p95 ms | p99 ms | "
                "max ms | notified | peak RSS MiB | heap in use MiB | CPU s | "
                "generator CPU s | receiver CPU s |\n"
                "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
                "| --- |\n");
    for (const auto& key : g.first) {
        const auto& runs = g.second[key];
        std::size_t expected = 0, notified = 0;
        for (const auto& r : runs) {
            expected += static_cast<std::size_t>(r.at("notify_expected").to_number<double>());
            notified += static_cast<std::size_t>(r.at("notified").to_number<double>());
        }
        std::printf("| %s | %s | %zu | %s | %s | %s | %s | %s | %zu/%zu | %s | %s | %s | %s | "
                    "%s |\n",
                    field(runs.front(), "workload").c_str(),
                    field(runs.front(), "system").c_str(), runs.size(),
                    spread(runs, nullptr, "accepted_per_s", "%.0f").c_str(),
                    spread(runs, "latency_ms", "p50", "%.2f").c_str(),
                    spread(runs, "latency_ms", "p95", "%.2f").c_str(),
                    spread(runs, "latency_ms", "p99", "%.2f").c_str(),
                    spread(runs, "latency_ms", "max", "%.1f").c_str(), notified, expected,
                    spread(runs, nullptr, "rss_peak_mib", "%.0f").c_str(),
                    spread(runs, nullptr, "heap_inuse_mib", "%.0f").c_str(),
                    spread(runs, nullptr, "cpu_s", "%.2f").c_str(),
                    spread(runs, nullptr, "generator_cpu_s", "%.2f").c_str(),
                    spread(runs, nullptr, "receiver_cpu_s", "%.2f").c_str());
    }
}

int report(const std::string& file) {
    std::ifstream f(file);
    grouped ingest, latency;
    for (std::string line; std::getline(f, line);) {
        if (line.empty())
            continue;
        auto o = json::parse(line).as_object();
        const auto system = field(o, "system"), workload = field(o, "workload");
        const auto shape = field(o, "shape");
        if (field(o, "kind") == "ingest")
            group_by(ingest, std::move(o), workload + "/" + shape + "/" + system);
        else
            group_by(latency, std::move(o), workload + "/" + system);
    }
    if (!ingest.first.empty())
        report_ingest(ingest);
    if (!latency.first.empty())
        report_latency(latency);
    return 0;
}

int free_port() {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    std::printf("%u\n", acc.local_endpoint().port());
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"compare_load: side-by-side load for opeld and Alertmanager"};
    cli.require_subcommand(1);
    run_options o;
    auto* r = cli.add_subcommand("run", "submit a workload and time the webhooks");
    r->add_option("--api", o.api, "opeld or am")->check(CLI::IsMember({"opeld", "am"}));
    r->add_option("--host", o.host);
    r->add_option("--port", o.port)->required();
    r->add_option("--receiver-port", o.receiver_port)->required();
    r->add_option("--token", o.token);
    r->add_option("--count,-n", o.count, "practices, one submission each");
    r->add_option("--level", o.level, "1-4, or 0 for a mix")->check(CLI::Range(0, 4));
    r->add_option("--rate", o.rate, "submissions/s; 0: as fast as answered");
    r->add_option("--connections,-c", o.connections)->check(CLI::PositiveNumber);
    r->add_option("--wait", o.wait, "at most this many seconds for webhooks after the last answer");
    r->add_option("--idle", o.idle, "stop waiting after this many seconds without a webhook");
    r->add_option("--pid", o.pid, "the server's pid, for CPU seconds and peak RSS");
    r->add_option("--json", o.json_out, "append the result line here");
    r->add_option("--samples", o.samples_out, "write the latency distribution here");
    r->add_option("--system", o.system);
    r->add_option("--workload", o.workload);
    r->add_option("--rep", o.rep);

    std::string api = "opeld";
    unsigned short port = 0, receiver_port = 0;
    auto* s = cli.add_subcommand("stub", "answer at once and forward notifications");
    s->add_option("--api", api)->check(CLI::IsMember({"opeld", "am"}));
    s->add_option("--port", port);
    s->add_option("--receiver-port", receiver_port)->required();

    std::size_t count = 0;
    std::string out;
    auto* p = cli.add_subcommand("practices", "write a generated practices file");
    p->add_option("--count", count)->required();
    p->add_option("--out", out)->required();

    std::string file;
    auto* rep = cli.add_subcommand("report", "Markdown table from a results file");
    rep->add_option("--json", file)->required();
    auto* fp = cli.add_subcommand("free-port", "print a free loopback port");
    CLI11_PARSE(cli, argc, argv);

    try {
        if (r->parsed())
            return run(o);
        if (s->parsed())
            return run_stub(api, port, receiver_port);
        if (p->parsed())
            return write_practices(count, out);
        if (rep->parsed())
            return report(file);
        if (fp->parsed())
            return free_port();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "compare_load: %s\n", e.what());
        return 2;
    }
    return 2;
}
