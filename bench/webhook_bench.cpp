// webhook_bench: the time from a submission's scheduled send time to the
// arrival of the webhook it causes, at a paced rate (open loop, so a stalled
// daemon is charged for every submission it delayed).
//
// One process holds both ends, on one steady clock: the generator posts
// submissions to opeld, and the receiver takes the webhooks opeld posts back.
// Practice p's k-th submission alternates level 4 and level 1, and the rules
// file has one rule (practice-level-4), so each submission raises or resolves
// exactly one alert and so exactly one webhook; the k-th webhook about
// practice p belongs to its k-th submission.
//
//   webhook_bench --free-port                 prints a free local port
//   webhook_bench --stub                      generator and receiver against an
//                                             in-process stub that answers 201 and
//                                             posts each webhook at once (the floor)
//   webhook_bench --port P --receiver-port R  against opeld on P, whose subscriber
//                                             posts to http://127.0.0.1:R/hook
//   --interval S                              also a line per S seconds of the
//                                             schedule: answer and webhook latency
//                                             of the submissions due in it (a soak)
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    unsigned short port = 8080;
    unsigned short receiver_port = 0;
    std::string token = "demo-admin";
    int connections = 16;
    double rate = 1000;
    double seconds = 10;
    int practices = 132;
    double interval = 0; ///< seconds a report line covers; 0: the whole run only
};

/// What both ends record, under one lock.
struct ledger {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<clock_type::time_point> scheduled; ///< by submission number
    std::vector<bool> accepted;                    ///< answered 201
    std::vector<int> seen;                         ///< webhooks so far, by practice
    std::vector<double> latencies_us;
    std::vector<float> answer_us;                          ///< by submission number
    std::vector<std::pair<std::uint64_t, float>> hooks_us; ///< submission, webhook latency
    std::uint64_t received = 0, unmatched = 0, failed = 0;
};

std::string code_of(std::uint64_t n, int practices) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "C82%03d",
                  static_cast<int>(n % static_cast<std::uint64_t>(practices)) + 1);
    return buf;
}

std::string body_for(std::uint64_t n, int practices) {
    const int level = (n / static_cast<std::uint64_t>(practices)) % 2 == 0 ? 4 : 1;
    return R"({"practice":")" + code_of(n, practices) + R"(","level":)" +
           std::to_string(level) + R"(,"note":"n=)" + std::to_string(n) + "\"}";
}

// --- the receiver ----------------------------------------------------------

/// Matches one webhook body to its submission and records the latency.
void record(ledger& l, const std::string& body, clock_type::time_point at, int practices) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(body, ec);
    std::lock_guard lock(l.mu);
    ++l.received;
    const auto* data = ec || !v.is_object() ? nullptr : v.as_object().if_contains("data");
    const auto* subject = data && data->is_object() ? data->as_object().if_contains("subject")
                                                    : nullptr;
    if (!subject || !subject->is_string() || subject->as_string().size() != 6) {
        ++l.unmatched;
        return;
    }
    const int p = std::atoi(subject->as_string().c_str() + 3) - 1;
    if (p < 0 || p >= practices) {
        ++l.unmatched;
        return;
    }
    const auto n = static_cast<std::uint64_t>(l.seen[static_cast<std::size_t>(p)]++) *
                       static_cast<std::uint64_t>(practices) +
                   static_cast<std::uint64_t>(p);
    if (n >= l.scheduled.size()) {
        ++l.unmatched;
        return;
    }
    const auto took = std::chrono::duration<double, std::micro>(at - l.scheduled[n]).count();
    l.latencies_us.push_back(took);
    l.hooks_us.emplace_back(n, static_cast<float>(took));
    l.cv.notify_all();
}

class receiver_session : public std::enable_shared_from_this<receiver_session> {
public:
    receiver_session(tcp::socket s, ledger& l, int practices)
        : stream_(std::move(s)), l_(l), practices_(practices) {}
    void run() {
        http::async_read(stream_, buf_, req_,
                         [self = shared_from_this()](beast::error_code ec, std::size_t) {
                             if (!ec)
                                 self->on_read();
                         });
    }

private:
    void on_read() {
        record(l_, req_.body(), clock_type::now(), practices_);
        res_ = {http::status::ok, 11};
        res_.keep_alive(req_.keep_alive());
        res_.prepare_payload();
        http::async_write(stream_, res_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec || !self->res_.keep_alive())
                                  return;
                              self->req_ = {};
                              self->run();
                          });
    }
    beast::tcp_stream stream_;
    ledger& l_;
    int practices_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::empty_body> res_;
};

void accept_loop(tcp::acceptor& acc, ledger& l, int practices) {
    acc.async_accept([&acc, &l, practices](beast::error_code ec, tcp::socket s) {
        if (ec)
            return;
        s.set_option(tcp::no_delay(true));
        std::make_shared<receiver_session>(std::move(s), l, practices)->run();
        accept_loop(acc, l, practices);
    });
}

// --- the generator ---------------------------------------------------------

class conn : public std::enable_shared_from_this<conn> {
public:
    conn(asio::io_context& ioc, const options& o, ledger& l, clock_type::time_point start,
         std::uint64_t first, std::uint64_t total)
        : stream_(ioc), o_(o), l_(l), start_(start), n_(first), total_(total), timer_(ioc) {}

    void run(const tcp::endpoint& ep) {
        stream_.connect(ep);
        stream_.socket().set_option(tcp::no_delay(true));
        next();
    }

private:
    void next() {
        if (n_ >= total_)
            return;
        const auto due = start_ + std::chrono::duration_cast<clock_type::duration>(
                                      std::chrono::duration<double>(double(n_) / o_.rate));
        {
            std::lock_guard lock(l_.mu);
            l_.scheduled[n_] = due;
        }
        timer_.expires_at(due);
        timer_.async_wait([self = shared_from_this()](beast::error_code) { self->send(); });
    }
    void send() {
        req_ = {http::verb::post, "/v1/submissions", 11};
        req_.set(http::field::host, "127.0.0.1");
        req_.set(http::field::authorization, "Bearer " + o_.token);
        req_.set(http::field::content_type, "application/json");
        req_.body() = body_for(n_, o_.practices);
        req_.prepare_payload();
        http::async_write(stream_, req_,
                          [self = shared_from_this()](beast::error_code ec, std::size_t) {
                              if (ec)
                                  return;
                              self->res_ = {};
                              http::async_read(self->stream_, self->buf_, self->res_,
                                               [self](beast::error_code e, std::size_t) {
                                                   self->on_read(e);
                                               });
                          });
    }
    void on_read(beast::error_code ec) {
        if (ec)
            return;
        {
            std::lock_guard lock(l_.mu);
            l_.answer_us[n_] = static_cast<float>(
                std::chrono::duration<double, std::micro>(clock_type::now() - l_.scheduled[n_])
                    .count());
            if (res_.result_int() == 201)
                l_.accepted[n_] = true;
            else
                ++l_.failed;
        }
        n_ += static_cast<std::uint64_t>(o_.connections);
        next();
    }
    beast::tcp_stream stream_;
    const options& o_;
    ledger& l_;
    clock_type::time_point start_;
    std::uint64_t n_;
    std::uint64_t total_;
    asio::steady_timer timer_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

// --- the stub --------------------------------------------------------------

/// Stands in for opeld: answers each submission 201 and hands a webhook body
/// naming its practice to one sender thread, which posts them in order, a
/// connection each, as opeld's one lane per subscriber does.
class stub {
public:
    stub(unsigned short receiver_port, int practices)
        : acc_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}), receiver_port_(receiver_port),
          practices_(practices) {
        server_ = std::thread([this] {
            for (;;) {
                tcp::socket s(ioc_);
                beast::error_code ec;
                acc_.accept(s, ec);
                if (ec || stopping_)
                    return;
                std::thread([this, s = std::move(s)]() mutable { session(std::move(s)); })
                    .detach();
            }
        });
        sender_ = std::thread([this] { send_loop(); });
    }
    unsigned short port() const { return acc_.local_endpoint().port(); }
    void stop() {
        {
            std::lock_guard lock(mu_);
            stopping_ = true;
        }
        cv_.notify_all();
        tcp::socket poke(ioc_);
        beast::error_code ignored;
        poke.connect(acc_.local_endpoint(), ignored);
        server_.join();
        sender_.join();
    }

private:
    void session(tcp::socket s) {
        s.set_option(tcp::no_delay(true));
        beast::flat_buffer buf;
        for (;;) {
            http::request<http::string_body> req;
            beast::error_code ec;
            http::read(s, buf, req, ec);
            if (ec)
                return;
            const auto sub = boost::json::parse(req.body()).as_object();
            {
                std::lock_guard lock(mu_);
                queue_.push_back(R"({"seq":1,"topic":"alert","data":{"subject":")" +
                                 std::string(sub.at("practice").as_string()) + "\"}}");
            }
            cv_.notify_one();
            http::response<http::string_body> res{http::status::created, 11};
            res.body() = R"({"id":1,"alerts":[1]})";
            res.keep_alive(true);
            res.prepare_payload();
            http::write(s, res, ec);
            if (ec)
                return;
        }
    }
    void send_loop() {
        asio::io_context ioc;
        const tcp::endpoint to(asio::ip::make_address("127.0.0.1"), receiver_port_);
        for (;;) {
            std::string body;
            {
                std::unique_lock lock(mu_);
                cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
                if (queue_.empty())
                    return;
                body = std::move(queue_.front());
                queue_.pop_front();
            }
            tcp::socket s(ioc);
            beast::error_code ec;
            s.connect(to, ec);
            if (ec)
                continue;
            s.set_option(tcp::no_delay(true));
            http::request<http::string_body> req{http::verb::post, "/hook", 11};
            req.set(http::field::host, "127.0.0.1");
            req.set(http::field::connection, "close");
            req.body() = std::move(body);
            req.prepare_payload();
            http::write(s, req, ec);
            beast::flat_buffer buf;
            http::response<http::string_body> res;
            http::read(s, buf, res, ec);
        }
    }
    asio::io_context ioc_;
    tcp::acceptor acc_;
    unsigned short receiver_port_;
    int practices_;
    std::thread server_, sender_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::string> queue_;
    bool stopping_ = false;
};

double percentile(std::vector<double> v, double p) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

/// One line per `o.interval` seconds of the schedule: the answers and the
/// webhooks of the submissions due in it, so a drift over a long run shows.
void print_intervals(const options& o, const ledger& l, std::uint64_t total) {
    const auto per = static_cast<std::uint64_t>(o.rate * o.interval);
    if (per == 0)
        return;
    const auto slots = (total + per - 1) / per;
    std::vector<std::vector<double>> answers(slots), hooks(slots);
    for (std::uint64_t n = 0; n < total; ++n)
        if (l.accepted[n])
            answers[n / per].push_back(l.answer_us[n]);
    for (const auto& [n, us] : l.hooks_us)
        hooks[n / per].push_back(us);
    std::printf("%8s %8s %9s %9s %9s %8s %9s %9s %9s\n", "from_s", "answers", "ans_p50", "ans_p99",
                "ans_max", "webhooks", "hook_p50", "hook_p99", "hook_max");
    for (std::uint64_t i = 0; i < slots; ++i) {
        auto& a = answers[i];
        auto& h = hooks[i];
        std::printf("%8.0f %8zu %9.0f %9.0f %9.0f %8zu %9.0f %9.0f %9.0f\n",
                    double(i) * o.interval, a.size(), percentile(a, 0.5), percentile(a, 0.99),
                    a.empty() ? 0 : *std::max_element(a.begin(), a.end()), h.size(),
                    percentile(h, 0.5), percentile(h, 0.99),
                    h.empty() ? 0 : *std::max_element(h.begin(), h.end()));
    }
}

int run(options o, bool use_stub) {
    const auto total = static_cast<std::uint64_t>(o.rate * o.seconds);
    ledger l;
    l.scheduled.resize(total);
    l.accepted.resize(total);
    l.answer_us.resize(total);
    l.seen.resize(static_cast<std::size_t>(o.practices));

    asio::io_context rx;
    tcp::acceptor acc(rx, {asio::ip::make_address("127.0.0.1"), o.receiver_port});
    accept_loop(acc, l, o.practices);
    std::thread rx_thread([&] { rx.run(); });

    std::unique_ptr<stub> s;
    if (use_stub) {
        s = std::make_unique<stub>(acc.local_endpoint().port(), o.practices);
        o.port = s->port();
    }

    asio::io_context tx;
    const auto start = clock_type::now() + std::chrono::milliseconds(200);
    const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), o.port);
    for (int i = 0; i < o.connections; ++i)
        std::make_shared<conn>(tx, o, l, start, static_cast<std::uint64_t>(i), total)->run(ep);
    tx.run();

    std::uint64_t accepted = 0;
    {
        std::unique_lock lock(l.mu);
        accepted = static_cast<std::uint64_t>(std::count(l.accepted.begin(), l.accepted.end(), true));
        // The last webhooks may still be on their way: up to 10 s more.
        l.cv.wait_for(lock, std::chrono::seconds(10),
                      [&] { return l.latencies_us.size() >= accepted; });
    }
    if (s)
        s->stop();
    rx.stop();
    rx_thread.join();

    std::lock_guard lock(l.mu);
    print_intervals(o, l, total);
    const auto& v = l.latencies_us;
    std::printf("%s: %llu submissions at %.0f/s over %d connections, %llu accepted, %llu "
                "failed; %llu webhooks received (%llu unmatched)\n"
                "submission scheduled -> webhook received, us: p50 %.0f p90 %.0f p99 %.0f "
                "p99.9 %.0f max %.0f\n",
                use_stub ? "stub" : "opeld", static_cast<unsigned long long>(total), o.rate,
                o.connections, static_cast<unsigned long long>(accepted),
                static_cast<unsigned long long>(l.failed),
                static_cast<unsigned long long>(l.received),
                static_cast<unsigned long long>(l.unmatched), percentile(v, 0.5),
                percentile(v, 0.9), percentile(v, 0.99), percentile(v, 0.999),
                v.empty() ? 0 : *std::max_element(v.begin(), v.end()));
    return v.size() == accepted && l.failed == 0 && l.unmatched == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"webhook_bench: submission to webhook latency at a paced rate"};
    options o;
    bool use_stub = false, free_port = false;
    cli.add_option("--port", o.port, "opeld's HTTP port");
    cli.add_option("--receiver-port", o.receiver_port, "where the webhooks come (0: any)");
    cli.add_option("--token", o.token);
    cli.add_option("--connections,-c", o.connections);
    cli.add_option("--rate,-r", o.rate, "submissions/s");
    cli.add_option("--seconds,-d", o.seconds);
    cli.add_option("--practices", o.practices);
    cli.add_option("--interval", o.interval, "seconds per report line (0: none)");
    cli.add_flag("--stub", use_stub, "measure against an in-process stub instead");
    cli.add_flag("--free-port", free_port, "print a free local port and exit");
    CLI11_PARSE(cli, argc, argv);
    if (free_port) {
        asio::io_context ioc;
        tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        std::printf("%u\n", a.local_endpoint().port());
        return 0;
    }
    return run(o, use_stub);
}
