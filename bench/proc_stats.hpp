#pragma once
// What the comparison programs read about a process or thread from /proc,
// and Alertmanager's Go heap from its /metrics: shared by compare_load and
// ingest_load so that both tables count the same way.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace bench {

/// utime + stime, in seconds, from a /proc/.../stat file; -1 when unreadable.
inline double stat_cpu_seconds(const std::string& stat_path) {
    std::ifstream f(stat_path);
    std::string s((std::istreambuf_iterator<char>(f)), {});
    const auto close = s.rfind(')');
    if (close == std::string::npos)
        return -1;
    std::istringstream in(s.substr(close + 2));
    std::string field;
    double ticks = 0;
    for (int i = 3; i <= 15 && in >> field; ++i)  // fields 14 and 15: utime, stime
        if (i >= 14)
            ticks += std::stod(field);
    return ticks / double(sysconf(_SC_CLK_TCK));
}

/// CPU seconds of a whole process (every thread); -1 when unreadable.
inline double cpu_seconds(int pid) {
    return stat_cpu_seconds("/proc/" + std::to_string(pid) + "/stat");
}

/// CPU seconds of one thread of this process; -1 when unreadable.
inline double thread_cpu_seconds(int tid) {
    return stat_cpu_seconds("/proc/self/task/" + std::to_string(tid) + "/stat");
}

/// Peak resident set (VmHWM) of a process, in MiB; -1 when unreadable.
inline double peak_rss_mib(int pid) {
    std::ifstream f("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(f, line);)
        if (line.rfind("VmHWM:", 0) == 0)
            return std::stod(line.substr(6)) / 1024.0;
    return -1;
}

/// A server's heap in use from its /metrics, in MiB: `metric` is
/// `go_memstats_heap_inuse_bytes` for a Go server (Alertmanager) and
/// `opeld_heap_inuse_bytes` for opeld (malloc's bytes in use); -1 when it
/// does not answer or has no such line. Both allocators keep freed memory
/// for a while, so RSS overstates what either process needs.
inline double heap_inuse_mib(const std::string& host, unsigned short port,
                             const std::string& metric = "go_memstats_heap_inuse_bytes") {
    namespace http = boost::beast::http;
    try {
        boost::asio::io_context ioc;
        boost::beast::tcp_stream s(ioc);
        s.connect({boost::asio::ip::make_address(host), port});
        http::request<http::empty_body> req{http::verb::get, "/metrics", 11};
        req.set(http::field::host, host);
        http::write(s, req);
        boost::beast::flat_buffer buf;
        http::response<http::string_body> res;
        http::read(s, buf, res);
        std::istringstream in(res.body());
        for (std::string line; std::getline(in, line);)
            if (line.rfind(metric + " ", 0) == 0)
                return std::stod(line.substr(metric.size() + 1)) / (1024.0 * 1024.0);
    } catch (const std::exception&) {
    }
    return -1;
}

} // namespace bench
