// loadgen: an HTTP load generator for opeld's benchmarks, and the stub server
// that checks it is faster than what it measures.
//
// Open loop (--rate R): requests are scheduled at fixed intervals across the
// connections, and each latency is measured from the request's scheduled send
// time, so a stalled server is charged for the requests it delayed
// (no coordinated omission). Closed loop (--rate 0): every connection sends
// its next request as soon as the previous answer arrives.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>
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
    int connections = 64;
    double rate = 0;        // requests/s in total; 0: closed loop
    double seconds = 10;
    int practices = 132;
    std::string target = "/v1/submissions";
};

struct results {
    std::vector<double> latencies_us;
    std::uint64_t ok = 0, failed = 0;
};

std::string body_for(std::uint64_t n, int practices) {
    char buf[128];
    std::snprintf(buf, sizeof buf, R"({"practice":"C82%03d","level":%d,"themes":["workforce"]})",
                  static_cast<int>(n % static_cast<std::uint64_t>(practices)) + 1,
                  static_cast<int>(n % 2) + 1);
    return buf;
}

/// One client connection.
class conn : public std::enable_shared_from_this<conn> {
public:
    conn(asio::io_context& ioc, const options& o, results& r, clock_type::time_point end,
         std::uint64_t first, std::uint64_t stride, clock_type::time_point start)
        : stream_(ioc), o_(o), r_(r), end_(end), n_(first), stride_(stride), start_(start),
          timer_(ioc) {}

    void run(const asio::ip::tcp::endpoint& ep) {
        stream_.connect(ep);
        stream_.socket().set_option(asio::ip::tcp::no_delay(true));
        next();
    }

private:
    clock_type::time_point scheduled() const {
        const auto interval = std::chrono::duration<double>(1.0 / o_.rate);
        return start_ + std::chrono::duration_cast<clock_type::duration>(interval * double(n_));
    }

    void next() {
        due_ = o_.rate > 0 ? scheduled() : clock_type::now();
        if (due_ >= end_)
            return;
        if (o_.rate > 0 && due_ > clock_type::now()) {
            timer_.expires_at(due_);
            timer_.async_wait([self = shared_from_this()](beast::error_code) { self->send(); });
            return;
        }
        send();
    }

    void send() {
        req_ = {http::verb::post, o_.target, 11};
        req_.set(http::field::host, o_.host);
        req_.set(http::field::authorization, "Bearer " + o_.token);
        req_.set(http::field::content_type, "application/json");
        req_.body() = body_for(n_, o_.practices);
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
        const auto took = std::chrono::duration<double, std::micro>(clock_type::now() - due_);
        r_.latencies_us.push_back(took.count());
        ++(res_.result_int() / 100 == 2 ? r_.ok : r_.failed);
        n_ += stride_;
        next();
    }

    beast::tcp_stream stream_;
    const options& o_;
    results& r_;
    clock_type::time_point end_;
    std::uint64_t n_;
    std::uint64_t stride_;
    clock_type::time_point start_;
    clock_type::time_point due_;
    asio::steady_timer timer_;
    beast::flat_buffer buf_;
    http::request<http::string_body> req_;
    http::response<http::string_body> res_;
};

double percentile(std::vector<double>& v, double p) {
    if (v.empty())
        return 0;
    const auto k = static_cast<std::size_t>(p * double(v.size() - 1));
    std::nth_element(v.begin(), v.begin() + static_cast<long>(k), v.end());
    return v[k];
}

int run_client(const options& o) {
    asio::io_context ioc;
    results r;
    const auto start = clock_type::now() + std::chrono::milliseconds(100);
    const auto end = start + std::chrono::duration_cast<clock_type::duration>(
                                 std::chrono::duration<double>(o.seconds));
    const asio::ip::tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    for (int i = 0; i < o.connections; ++i)
        std::make_shared<conn>(ioc, o, r, end, static_cast<std::uint64_t>(i),
                               static_cast<std::uint64_t>(o.connections), start)
            ->run(ep);
    ioc.run();
    const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    auto& l = r.latencies_us;
    const double p50 = percentile(l, 0.50), p99 = percentile(l, 0.99),
                 max = l.empty() ? 0 : *std::max_element(l.begin(), l.end());
    std::printf("requests %zu ok %llu failed %llu in %.2f s: %.0f/s; latency us p50 %.0f "
                "p99 %.0f max %.0f\n",
                l.size(), static_cast<unsigned long long>(r.ok),
                static_cast<unsigned long long>(r.failed), secs, double(r.ok) / secs, p50, p99,
                max);
    return r.failed ? 1 : 0;
}

/// The stub: answers every request 201 with a constant body, keep-alive.
void stub_session(asio::ip::tcp::socket s) {
    beast::flat_buffer buf;
    beast::error_code ec;
    for (;;) {
        http::request<http::string_body> req;
        http::read(s, buf, req, ec);
        if (ec)
            return;
        http::response<http::string_body> res{http::status::created, 11};
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"id":1,"alerts":[]})";
        res.keep_alive(true);
        res.prepare_payload();
        http::write(s, res, ec);
        if (ec)
            return;
    }
}

int run_stub(unsigned short port) {
    asio::io_context ioc;
    asio::ip::tcp::acceptor acc(ioc, {asio::ip::make_address("127.0.0.1"), port});
    std::printf("stub listening on %u\n", acc.local_endpoint().port());
    std::fflush(stdout);
    for (;;)
        std::thread(stub_session, acc.accept()).detach();
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"loadgen: HTTP load for opeld benchmarks"};
    options o;
    bool stub = false;
    cli.add_option("--host", o.host);
    cli.add_option("--port", o.port);
    cli.add_option("--token", o.token);
    cli.add_option("--connections,-c", o.connections);
    cli.add_option("--rate,-r", o.rate, "total requests/s; 0 = as fast as answered");
    cli.add_option("--seconds,-d", o.seconds);
    cli.add_option("--practices", o.practices);
    cli.add_flag("--stub", stub, "serve a constant answer on --port instead");
    CLI11_PARSE(cli, argc, argv);
    return stub ? run_stub(o.port) : run_client(o);
}
