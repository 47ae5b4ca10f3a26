// zmq_loadgen: ZeroMQ ingest load for opeld. A DEALER keeps `window`
// submissions in flight (pipelining), tags each with its send time, and
// reports durable submissions/s and reply latency (from send to reply).
#include <CLI/CLI.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <vector>

int main(int argc, char** argv) {
    CLI::App cli{"zmq_loadgen: pipelined ZeroMQ submissions"};
    std::string endpoint = "tcp://127.0.0.1:5555";
    std::string token = "demo-admin";
    int window = 256;
    int total = 100000;
    cli.add_option("--endpoint", endpoint);
    cli.add_option("--token", token);
    cli.add_option("--window", window);
    cli.add_option("--count,-n", total);
    CLI11_PARSE(cli, argc, argv);

    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::sndhwm, 0);
    dealer.set(zmq::sockopt::rcvhwm, 0);
    dealer.set(zmq::sockopt::rcvtimeo, 10000);
    dealer.connect(endpoint);
    using clock = std::chrono::steady_clock;
    std::vector<double> lat;
    lat.reserve(static_cast<std::size_t>(total));
    int sent = 0, received = 0, ok = 0;
    char body[160];
    const auto start = clock::now();
    const auto send_one = [&] {
        const auto t = clock::now().time_since_epoch().count();
        std::snprintf(body, sizeof body,
                      R"({"practice":"C82%03d","level":%d,"token":"%s"})", sent % 132 + 1,
                      sent % 2 + 1, token.c_str());
        std::array<zmq::const_buffer, 2> frames{zmq::buffer(&t, sizeof t),
                                                zmq::buffer(body, std::strlen(body))};
        zmq::send_multipart(dealer, frames);
        ++sent;
    };
    while (sent < total && sent < window)
        send_one();
    while (received < total) {
        std::vector<zmq::message_t> reply;
        if (!zmq::recv_multipart(dealer, std::back_inserter(reply)))
            break;
        clock::rep t0 = 0;
        std::memcpy(&t0, reply.at(0).data(), sizeof t0);
        lat.push_back(double(clock::now().time_since_epoch().count() - t0) / 1000.0);
        ok += reply.back().to_string().find("\"status\":201") != std::string::npos;
        ++received;
        if (sent < total)
            send_one();
    }
    const double secs = std::chrono::duration<double>(clock::now() - start).count();
    std::sort(lat.begin(), lat.end());
    const auto pct = [&](double p) { return lat.empty() ? 0 : lat[std::size_t(p * double(lat.size() - 1))]; };
    std::printf("%d replies (%d accepted) in %.2f s: %.0f/s; latency us p50 %.0f p99 %.0f max %.0f\n",
                received, ok, secs, ok / secs, pct(0.5), pct(0.99), lat.empty() ? 0 : lat.back());
    return received == total ? 0 : 1;
}
