// zmq_loadgen: ZeroMQ ingest load for opeld.
//
// Flat out (default): a DEALER keeps `window` submissions in flight
// (pipelining), tags each with its send time, and reports durable
// submissions/s and reply latency (from send to reply).
//
// Paced (--rate R --publish ENDPOINT): submissions leave on a fixed schedule,
// R a second, each carrying its index in `note`; a SUB socket on the daemon's
// PUB endpoint receives the matching `status.` event, and the latency is from
// the submission's *scheduled* send time to that receipt, so a stall is
// charged to every submission it delayed. Every event must arrive.
#include <CLI/CLI.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

struct options {
    std::string endpoint = "tcp://127.0.0.1:5555";
    std::string publish;
    std::string token = "demo-admin";
    int window = 256;
    int total = 100000;
    double rate = 0;
};

int format_body(char* out, std::size_t n, int i, const std::string& token, const char* note) {
    return std::snprintf(out, n,
                         R"({"practice":"C82%03d","level":%d,"note":"%s","token":"%s"})",
                         i % 132 + 1, i % 2 + 1, note, token.c_str());
}

void print_latency(const char* what, std::vector<double> lat) {
    std::sort(lat.begin(), lat.end());
    const auto pct = [&](double p) {
        return lat.empty() ? 0 : lat[std::size_t(p * double(lat.size() - 1))];
    };
    std::printf("%s us: p50 %.0f p90 %.0f p99 %.0f p99.9 %.0f max %.0f\n", what, pct(0.5),
                pct(0.9), pct(0.99), pct(0.999), lat.empty() ? 0 : lat.back());
}

int flat_out(zmq::context_t& ctx, const options& o) {
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::sndhwm, 0);
    dealer.set(zmq::sockopt::rcvhwm, 0);
    dealer.set(zmq::sockopt::rcvtimeo, 10000);
    dealer.connect(o.endpoint);
    std::vector<double> lat;
    lat.reserve(static_cast<std::size_t>(o.total));
    int sent = 0, received = 0, ok = 0;
    char body[200];
    const auto start = clock_type::now();
    const auto send_one = [&] {
        const auto t = clock_type::now().time_since_epoch().count();
        const int n = format_body(body, sizeof body, sent, o.token, "load");
        std::array<zmq::const_buffer, 2> frames{zmq::buffer(&t, sizeof t),
                                                zmq::buffer(body, std::size_t(n))};
        zmq::send_multipart(dealer, frames);
        ++sent;
    };
    while (sent < o.total && sent < o.window)
        send_one();
    while (received < o.total) {
        std::vector<zmq::message_t> reply;
        if (!zmq::recv_multipart(dealer, std::back_inserter(reply)))
            break;
        clock_type::rep t0 = 0;
        std::memcpy(&t0, reply.at(0).data(), sizeof t0);
        lat.push_back(double(clock_type::now().time_since_epoch().count() - t0) / 1000.0);
        ok += reply.back().to_string().find("\"status\":201") != std::string::npos;
        ++received;
        if (sent < o.total)
            send_one();
    }
    const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
    std::printf("%d replies (%d accepted) in %.2f s: %.0f/s\n", received, ok, secs, ok / secs);
    print_latency("reply latency", std::move(lat));
    return received == o.total ? 0 : 1;
}

/// The index in an event's `"note":"bN"`, or -1.
int note_index(const std::string& event) {
    const auto at = event.find("\"note\":\"b");
    if (at == std::string::npos)
        return -1;
    return std::atoi(event.c_str() + at + 9);
}

int paced(zmq::context_t& ctx, const options& o) {
    zmq::socket_t sub(ctx, zmq::socket_type::sub);
    sub.set(zmq::sockopt::rcvhwm, 0);
    sub.set(zmq::sockopt::subscribe, "status.");
    sub.set(zmq::sockopt::rcvtimeo, 100);
    sub.connect(o.publish);
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::sndhwm, 0);
    dealer.set(zmq::sockopt::rcvhwm, 0);
    dealer.connect(o.endpoint);
    char body[200];

    // A SUB misses what is published before its subscription reaches the
    // PUB: submit warm-up reports until one is seen.
    for (int tries = 0;; ++tries) {
        if (tries == 50) {
            std::fprintf(stderr, "no event on %s after 5 s\n", o.publish.c_str());
            return 1;
        }
        const int n = format_body(body, sizeof body, 0, o.token, "warm-up");
        std::array<zmq::const_buffer, 2> frames{zmq::buffer("w", 1),
                                                zmq::buffer(body, std::size_t(n))};
        zmq::send_multipart(dealer, frames);
        std::vector<zmq::message_t> msg;
        if (zmq::recv_multipart(sub, std::back_inserter(msg)))
            break;
    }
    while (true) { // drop the rest of the warm-up events
        std::vector<zmq::message_t> msg;
        sub.set(zmq::sockopt::rcvtimeo, 200);
        if (!zmq::recv_multipart(sub, std::back_inserter(msg)))
            break;
    }

    const auto period = std::chrono::duration<double>(1.0 / o.rate);
    const auto start = clock_type::now() + std::chrono::milliseconds(10);
    const auto scheduled = [&](int i) {
        return start + std::chrono::duration_cast<clock_type::duration>(period * i);
    };
    std::vector<double> lat(static_cast<std::size_t>(o.total), -1);
    std::atomic<int> seen{0};
    int stray = 0, duplicates = 0;

    // The receiver: its own thread and socket, so that sending on time and
    // receiving at once never wait for each other.
    std::thread receiver([&] {
        sub.set(zmq::sockopt::rcvtimeo, 100);
        auto idle_since = clock_type::now();
        while (seen.load() < o.total) {
            std::vector<zmq::message_t> msg;
            if (!zmq::recv_multipart(sub, std::back_inserter(msg))) {
                if (clock_type::now() > scheduled(o.total) &&
                    clock_type::now() - idle_since > std::chrono::seconds(5))
                    return; // the rest are not coming
                continue;
            }
            const auto now = clock_type::now();
            idle_since = now;
            const int i = note_index(msg.back().to_string());
            if (i < 0 || i >= o.total) {
                ++stray;
                continue;
            }
            auto& slot = lat[std::size_t(i)];
            if (slot >= 0) {
                ++duplicates;
                continue;
            }
            slot = std::chrono::duration<double, std::micro>(now - scheduled(i)).count();
            seen.fetch_add(1);
        }
    });

    int ok = 0, replies = 0;
    const auto drain_replies = [&](bool wait) {
        while (!wait || replies < o.total) {
            std::vector<zmq::message_t> reply;
            if (!zmq::recv_multipart(dealer, std::back_inserter(reply),
                                     wait ? zmq::recv_flags::none : zmq::recv_flags::dontwait))
                return;
            if (reply.at(0).to_string() != "p")
                continue; // a warm-up's
            ++replies;
            ok += reply.back().to_string().find("\"status\":201") != std::string::npos;
        }
    };
    double late_us = 0;
    for (int i = 0; i < o.total; ++i) {
        std::this_thread::sleep_until(scheduled(i));
        late_us = std::max(late_us, std::chrono::duration<double, std::micro>(
                                        clock_type::now() - scheduled(i))
                                        .count());
        char note[16];
        std::snprintf(note, sizeof note, "b%d", i);
        const int n = format_body(body, sizeof body, i, o.token, note);
        std::array<zmq::const_buffer, 2> frames{zmq::buffer("p", 1),
                                                zmq::buffer(body, std::size_t(n))};
        zmq::send_multipart(dealer, frames);
        drain_replies(false);
    }
    dealer.set(zmq::sockopt::rcvtimeo, 5000);
    while (replies < o.total) {
        const int before = replies;
        drain_replies(true);
        if (replies == before)
            break;
    }
    receiver.join();
    const double secs = std::chrono::duration<double>(scheduled(o.total) - start).count();
    std::vector<double> got;
    int missing = 0;
    for (double l : lat)
        (l >= 0 ? got.push_back(l) : void(++missing));
    std::printf("%d submissions at %.0f/s over %.1f s: %d accepted, "
                "%d events received, %d missing, %d duplicates, %d strays; sender at most "
                "%.0f us late\n",
                o.total, o.rate, secs, ok, int(got.size()), missing, duplicates, stray, late_us);
    print_latency("scheduled send to PUB receipt", std::move(got));
    return missing == 0 ? 0 : 1;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App cli{"zmq_loadgen: ZeroMQ submissions, pipelined flat out or paced with a SUB"};
    options o;
    cli.add_option("--endpoint", o.endpoint, "the daemon's zmq.ingest");
    cli.add_option("--token", o.token);
    cli.add_option("--window", o.window, "flat out: submissions in flight");
    cli.add_option("--count,-n", o.total);
    cli.add_option("--rate,-r", o.rate, "paced: submissions a second (needs --publish)");
    cli.add_option("--publish", o.publish, "paced: the daemon's zmq.publish");
    CLI11_PARSE(cli, argc, argv);
    zmq::context_t ctx;
    if (o.rate > 0) {
        if (o.publish.empty()) {
            std::fprintf(stderr, "--rate needs --publish\n");
            return 2;
        }
        return paced(ctx, o);
    }
    return flat_out(ctx, o);
}
