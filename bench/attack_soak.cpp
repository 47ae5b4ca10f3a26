// attack_soak: opeld under attack while it does its real work.
//
// For --duration seconds, against one running opeld:
// - holds --idle connections to the HTTP port that send nothing (each
//   reopened as soon as the daemon closes it);
// - holds --streams event streams (GET /v1/stream), reading everything,
//   each reopened from its last seq if it is closed;
// - sends --hostile malformed HTTP requests, spread over the run, each on
//   its own connection, from a table of kinds; each must be answered 4xx;
// - sends --junk-mib MiB of junk to the ZeroMQ ingest port, spread over the
//   run: raw bytes that are not ZeroMTP, garbage payloads, messages of too
//   many frames or too many bytes, and frames marked "more" never finished;
// - submits at --rate a second (every fifth over ZeroMQ, the rest over
//   HTTP), each with its own idempotency key, from --workers threads;
// - asks GET /healthz on a new connection every --probe-ms, timing it;
// - samples the daemon's resident memory (--pid) every second.
// At the end it reads every stored submission back and checks that each
// acknowledged one (201) is there, and prints the figures. It fails when a
// submission acknowledged is missing, a hostile request got no 4xx, the
// daemon answered 5xx to a submission or died; and, unless --no-judge-timing
// (for a smoke run on a busy machine), when a /healthz took longer than
// --healthz-limit-ms or resident memory grew more than --rss-growth-mib
// from the end of the first minute (or of the first fifth of a shorter run)
// to the end.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <CLI/CLI.hpp>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using clock_type = std::chrono::steady_clock;
using std::chrono::duration;
using std::chrono::milliseconds;

namespace {

struct options {
    std::string host = "127.0.0.1";
    unsigned short port = 8080;
    std::string zmq;          ///< the ingest endpoint, tcp://host:port
    int pid = 0;
    double duration = 300;
    double rate = 100;
    int idle = 500;
    int streams = 200;
    int hostile = 1000;
    double junk_mib = 10;
    int workers = 8;
    double probe_ms = 100;
    double healthz_limit_ms = 100;
    double rss_growth_mib = 16;
    bool judge_timing = true;
    std::string admin = "demo-admin";
    std::string reader = "demo-team";
    std::vector<std::string> practices{"C82001"};
};

std::atomic<bool> running{true};

double since(clock_type::time_point t0) { return duration<double>(clock_type::now() - t0).count(); }

// ---------------------------------------------------------------------------
// Daemon figures from /proc

long status_kib(int pid, const char* key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    const std::string k = std::string(key) + ":";
    for (std::string line; std::getline(in, line);)
        if (line.rfind(k, 0) == 0)
            return std::atol(line.c_str() + k.size());
    return -1;
}

long open_fds(int pid) {
    std::error_code ec;
    long n = 0;
    for (auto it = std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd", ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec))
        ++n;
    return ec ? -1 : n;
}

bool alive(int pid) {
    return pid <= 0 || std::filesystem::exists("/proc/" + std::to_string(pid));
}

// ---------------------------------------------------------------------------
// Blocking HTTP, one request per call

struct answer {
    int status = 0; ///< 0: no answer (connection failed or closed)
    std::string body;
};

/// One request on `s` (connected); keeps the connection open.
answer exchange(beast::tcp_stream& s, http::verb verb, const std::string& target,
                const std::string& token, const std::string& body = {},
                bool close = false) {
    http::request<http::string_body> req{verb, target, 11};
    req.set(http::field::host, "127.0.0.1");
    if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
    if (!body.empty()) req.set(http::field::content_type, "application/json");
    req.keep_alive(!close);
    req.body() = body;
    req.prepare_payload();
    s.expires_after(std::chrono::seconds(30));
    http::write(s, req);
    beast::flat_buffer buf;
    http::response<http::string_body> res;
    http::read(s, buf, res);
    return {static_cast<int>(res.result_int()), std::move(res.body())};
}

/// A request on a connection of its own.
answer fresh(const options& o, http::verb verb, const std::string& target,
             const std::string& token = {}) {
    try {
        asio::io_context ioc;
        beast::tcp_stream s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address(o.host), o.port));
        return exchange(s, verb, target, token, {}, true);
    } catch (const std::exception&) {
        return {};
    }
}

// ---------------------------------------------------------------------------
// Idle connections and event streams: one Asio thread holds them all

struct holders_tally {
    std::atomic<long> idle_open{0}, idle_reopened{0}, idle_refused{0};
    std::atomic<long> streams_open{0}, streams_reopened{0}, stream_events{0};
};

/// A connection that sends nothing and is reopened when the daemon closes it.
class idle_holder : public std::enable_shared_from_this<idle_holder> {
public:
    idle_holder(asio::io_context& ioc, tcp::endpoint ep, holders_tally& t)
        : sock_(ioc), ep_(ep), t_(t) {}
    void start() {
        sock_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->again();
            ++self->t_.idle_open;
            self->open_ = true;
            self->wait();
        });
    }

private:
    void wait() {
        sock_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                      beast::error_code ec, std::size_t n) {
            if (!ec) {
                // The daemon said something to a client that said nothing: a
                // refusal (503) when over its cap.
                if (std::string_view(self->buf_.data(), n).find(" 503 ") != std::string_view::npos)
                    ++self->t_.idle_refused;
                return self->wait();
            }
            self->again();
        });
    }
    void again() {
        if (open_) --t_.idle_open;
        open_ = false;
        beast::error_code ignored;
        sock_.close(ignored);
        if (!running) return;
        ++t_.idle_reopened;
        start();
    }

    tcp::socket sock_;
    tcp::endpoint ep_;
    holders_tally& t_;
    std::array<char, 512> buf_{};
    bool open_ = false;
};

/// An event stream, read to the end and reopened from its last seq.
class stream_holder : public std::enable_shared_from_this<stream_holder> {
public:
    stream_holder(asio::io_context& ioc, tcp::endpoint ep, std::string token, holders_tally& t)
        : sock_(ioc), ep_(ep), token_(std::move(token)), t_(t) {}
    void start() {
        sock_.async_connect(ep_, [self = shared_from_this()](beast::error_code ec) {
            if (ec) return self->again();
            self->req_ = "GET /v1/stream?since_seq=" + std::to_string(self->last_) +
                         " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + self->token_ +
                         "\r\n\r\n";
            asio::async_write(self->sock_, asio::buffer(self->req_),
                              [self](beast::error_code e, std::size_t) {
                                  if (e) return self->again();
                                  ++self->t_.streams_open;
                                  self->open_ = true;
                                  self->read();
                              });
        });
    }

private:
    void read() {
        sock_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](
                                                        beast::error_code ec, std::size_t n) {
            if (ec) return self->again();
            self->take(std::string_view(self->chunk_.data(), n));
            self->read();
        });
    }
    void take(std::string_view data) {
        pending_.append(data);
        for (auto at = pending_.find("\nid: "); at != std::string::npos;
             at = pending_.find("\nid: ")) {
            const auto end = pending_.find('\n', at + 5);
            if (end == std::string::npos) break;
            last_ = std::atoll(pending_.c_str() + at + 5);
            ++t_.stream_events;
            pending_.erase(0, end);
        }
        if (pending_.size() > 8192) pending_.erase(0, pending_.size() - 16);
    }
    void again() {
        if (open_) --t_.streams_open;
        open_ = false;
        beast::error_code ignored;
        sock_.close(ignored);
        if (!running) return;
        ++t_.streams_reopened;
        start();
    }

    tcp::socket sock_;
    tcp::endpoint ep_;
    std::string token_;
    holders_tally& t_;
    std::string req_, pending_;
    std::array<char, 8192> chunk_{};
    std::int64_t last_ = 0;
    bool open_ = false;
};

// ---------------------------------------------------------------------------
// Paced submissions

struct submit_tally {
    std::mutex mu;
    std::set<std::int64_t> acked;     ///< ids answered 201
    std::vector<double> latency_ms;   ///< of every answer
    long by_status[6] = {0, 0, 0, 0, 0, 0}; ///< by status / 100; [0]: no answer
    long over_zmq = 0;
};

std::string submission(const options& o, long i, bool with_token) {
    static const int levels[] = {1, 1, 1, 2, 2, 2, 3, 4, 1, 2};
    const auto& practice = o.practices[static_cast<std::size_t>(i) % o.practices.size()];
    std::string body = R"({"practice":")" + practice + R"(","level":)" +
                       std::to_string(levels[i % 10]) + R"(,"note":"soak )" + std::to_string(i) +
                       R"(","idempotency_key":"soak-)" + std::to_string(i) + "\"";
    if (with_token) body += R"(,"token":")" + o.admin + "\"";
    return body + "}";
}

void record(submit_tally& t, int status, const std::string& body, double ms, bool zmq) {
    std::int64_t id = -1;
    if (status == 201) {
        boost::system::error_code ec;
        const auto v = boost::json::parse(body, ec);
        if (!ec && v.is_object() && v.as_object().contains("id")) id = v.at("id").to_number<std::int64_t>();
    }
    std::lock_guard lock(t.mu);
    ++t.by_status[std::clamp(status / 100, 0, 5)];
    t.latency_ms.push_back(ms);
    if (id >= 0) t.acked.insert(id);
    if (zmq) ++t.over_zmq;
}

void submitter(const options& o, std::atomic<long>& next, long total, clock_type::time_point t0,
               submit_tally& t) {
    asio::io_context ioc;
    std::unique_ptr<beast::tcp_stream> s;
    zmq::context_t ctx;
    std::unique_ptr<zmq::socket_t> req;
    while (running) {
        const long i = next++;
        if (i >= total) break;
        std::this_thread::sleep_until(t0 + duration<double>(double(i) / o.rate));
        const bool over_zmq = !o.zmq.empty() && i % 5 == 4;
        const auto start = clock_type::now();
        int status = 0;
        std::string body;
        try {
            if (over_zmq) {
                if (!req) {
                    req = std::make_unique<zmq::socket_t>(ctx, zmq::socket_type::req);
                    req->set(zmq::sockopt::linger, 0);
                    req->set(zmq::sockopt::rcvtimeo, 30000);
                    req->connect(o.zmq);
                }
                req->send(zmq::buffer(submission(o, i, true)), zmq::send_flags::none);
                zmq::message_t reply;
                if (req->recv(reply)) {
                    body = reply.to_string();
                    const auto v = boost::json::parse(body);
                    status = static_cast<int>(v.at("status").to_number<std::int64_t>());
                } else {
                    req.reset(); // a REQ socket that lost its answer cannot send again
                }
            } else {
                if (!s) {
                    s = std::make_unique<beast::tcp_stream>(ioc);
                    s->connect(tcp::endpoint(asio::ip::make_address(o.host), o.port));
                }
                auto a = exchange(*s, http::verb::post, "/v1/submissions", o.admin,
                                  submission(o, i, false));
                status = a.status;
                body = std::move(a.body);
            }
        } catch (const std::exception&) {
            s.reset();
            req.reset();
        }
        record(t, status, body,
               duration<double, std::milli>(clock_type::now() - start).count(), over_zmq);
    }
}

// ---------------------------------------------------------------------------
// Hostile requests

std::vector<std::pair<std::string, std::string>> hostile_kinds(const options& o) {
    const std::string head = "POST /v1/submissions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                             o.admin + "\r\nContent-Type: application/json\r\n";
    const auto post = [&](const std::string& body) {
        return head + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    };
    return {
        {"not HTTP", "HELLO THERE\r\n\r\n"},
        {"binary garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n"},
        {"header over the limit", "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(9000, 'a') + "\r\n\r\n"},
        {"a thousand headers", "GET /healthz HTTP/1.1\r\n" + [] { std::string h; for (int i = 0; i < 1000; ++i) h += "X-Many: a\r\n"; return h; }() + "\r\n"},
        {"NUL in the target", std::string("GET /heal\0thz HTTP/1.1\r\nHost: a\r\n\r\n", 35)},
        {"Content-Length over the limit", head + "Content-Length: 1000000\r\n\r\n{}"},
        {"two Content-Lengths", head + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}"},
        {"gzip transfer coding", head + "Transfer-Encoding: gzip\r\n\r\n{}"},
        {"chunked and Content-Length", head + "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n"},
        {"bad chunk size", head + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"},
        {"truncated JSON", post(R"({"practice":"C82001","level":)")},
        {"deep nesting", post(R"({"practice":"C82001","level":3,"note":)" + std::string(20000, '[') + "}")},
        {"invalid UTF-8", post("{\"practice\":\"C82001\",\"level\":3,\"note\":\"\xff\xfe\"}")},
        {"lone surrogate", post(R"({"practice":"C82001","level":3,"note":"\ud800"})")},
        {"NUL in a note", post(R"({"practice":"C82001","level":3,"note":"a\u0000b"})")},
        {"escape sequence in a note", post(R"({"practice":"C82001","level":3,"note":"\u001b[2J"})")},
        {"duplicate key", post(R"({"practice":"C82001","level":3,"level":4})")},
        {"unknown field", post(R"({"practice":"C82001","level":3,"admin":true})")},
        {"level 99", post(R"({"practice":"C82001","level":99})")},
        {"unknown practice", post(R"({"practice":"Z99999","level":3})")},
        {"wrong token", "GET /v1/status HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer nope\r\n\r\n"},
        {"path traversal", "GET /static/..%2f..%2fetc%2fpasswd HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"unknown method", "BREW /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
        {"idempotency key not UTF-8", head + "Idempotency-Key: k\xff\r\nContent-Length: 31\r\n\r\n{\"practice\":\"C82001\",\"level\":1}"},
    };
}

struct hostile_tally {
    std::mutex mu;
    long sent = 0, answered_4xx = 0;
    std::vector<std::string> bad; ///< kinds that got anything but a 4xx
};

/// Sends `bytes` on a new connection and reads the first answer's status.
int hostile_status(const options& o, const std::string& bytes) {
    try {
        asio::io_context ioc;
        tcp::socket s(ioc);
        s.connect(tcp::endpoint(asio::ip::make_address(o.host), o.port));
        beast::error_code ec;
        asio::write(s, asio::buffer(bytes), ec);
        s.shutdown(tcp::socket::shutdown_send, ec);
        std::string got;
        std::array<char, 4096> buf{};
        while (got.find("\r\n") == std::string::npos) {
            const auto n = s.read_some(asio::buffer(buf), ec);
            if (ec) break;
            got.append(buf.data(), n);
        }
        if (got.rfind("HTTP/1.1 ", 0) != 0 || got.size() < 12) return 0;
        return std::atoi(got.c_str() + 9);
    } catch (const std::exception&) {
        return 0;
    }
}

void hostile_sender(const options& o, clock_type::time_point t0, hostile_tally& t) {
    const auto kinds = hostile_kinds(o);
    const double every = o.duration / std::max(1, o.hostile);
    for (long i = 0; running && i < o.hostile; ++i) {
        std::this_thread::sleep_until(t0 + duration<double>(double(i) * every));
        const auto& [name, bytes] = kinds[static_cast<std::size_t>(i) % kinds.size()];
        const int status = hostile_status(o, bytes);
        std::lock_guard lock(t.mu);
        ++t.sent;
        if (status >= 400 && status < 500)
            ++t.answered_4xx;
        else
            t.bad.push_back(name + ": " + std::to_string(status));
    }
}

// ---------------------------------------------------------------------------
// ZeroMQ junk

struct junk_tally {
    std::atomic<long> bytes{0}, messages{0}, answered{0}, raw_connections{0};
};

std::string random_bytes(std::mt19937& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

/// A ZeroMTP 3.0 greeting for mechanism NULL, as a client.
std::string zmtp_greeting() {
    std::string g(64, '\0');
    g[0] = '\xff';
    g[9] = '\x7f';
    g[10] = 3; // version 3.0
    g.replace(12, 4, "NULL");
    return g;
}

/// One frame: flags (more, long), size, body.
std::string zmtp_frame(const std::string& body, bool more, bool command = false) {
    std::string f;
    const bool big = body.size() > 255;
    f += static_cast<char>((more ? 1 : 0) | (big ? 2 : 0) | (command ? 4 : 0));
    if (big) {
        for (int shift = 56; shift >= 0; shift -= 8)
            f += static_cast<char>((static_cast<std::uint64_t>(body.size()) >> shift) & 0xff);
    } else {
        f += static_cast<char>(body.size());
    }
    return f + body;
}

/// The READY command of a DEALER.
std::string zmtp_ready() {
    const std::string name = "Socket-Type", value = "DEALER";
    std::string body = "\x05READY";
    body += static_cast<char>(name.size());
    body += name;
    body += std::string(3, '\0') + static_cast<char>(value.size());
    body += value;
    return zmtp_frame(body, false, true);
}

void junk_sender(const options& o, clock_type::time_point t0, junk_tally& t) {
    if (o.zmq.empty()) return;
    const auto colon = o.zmq.rfind(':');
    const tcp::endpoint raw_ep(asio::ip::make_address(o.zmq.substr(6, colon - 6)),
                               static_cast<unsigned short>(std::stoi(o.zmq.substr(colon + 1))));
    std::mt19937 rng(42);
    zmq::context_t ctx;
    const auto total = static_cast<long>(o.junk_mib * 1024 * 1024);
    // The shapes in turn, paced to last the run: what one round sends, on
    // average (the 4.5 MiB message goes every sixteenth round).
    const long per_round = 32 * 1024 * 2 + 40 * 1024 + 4 * 64 * 1024 + 3 * 1536 * 1024 / 16;
    const double rounds = std::max(1.0, double(total) / double(per_round));
    const double every = o.duration / rounds;
    for (long round = 0; running && t.bytes < total; ++round) {
        std::this_thread::sleep_until(t0 + duration<double>(double(round) * every));
        try {
            // Raw bytes, not ZeroMTP: libzmq drops them at the greeting.
            asio::io_context ioc;
            tcp::socket s(ioc);
            s.connect(raw_ep);
            const auto raw = random_bytes(rng, 32 * 1024);
            beast::error_code ec;
            asio::write(s, asio::buffer(raw), ec);
            t.bytes += static_cast<long>(raw.size());
            ++t.raw_connections;
        } catch (const std::exception&) {
        }
        zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
        dealer.set(zmq::sockopt::linger, 0);
        dealer.set(zmq::sockopt::rcvtimeo, 10000);
        dealer.connect(o.zmq);
        std::vector<std::vector<std::string>> messages{
            {random_bytes(rng, 32 * 1024)},                        // a garbage payload: 400
            std::vector<std::string>(40, std::string(1024, 'f')), // too many frames: 400
        };
        if (round % 16 == 8)
            messages.push_back(std::vector<std::string>(3, std::string(1536 * 1024, 'x'))); // 413
        long expected = 0;
        for (const auto& m : messages) {
            std::vector<zmq::const_buffer> parts;
            for (const auto& f : m) {
                parts.push_back(zmq::buffer(f));
                t.bytes += static_cast<long>(f.size());
            }
            zmq::send_multipart(dealer, parts);
            ++t.messages;
            ++expected;
        }
        for (long i = 0; i < expected; ++i) {
            std::vector<zmq::message_t> reply;
            if (!zmq::recv_multipart(dealer, std::back_inserter(reply))) break;
            ++t.answered;
        }
        // Frames marked "more" with no last one, then gone: spoken in
        // ZeroMTP by hand, since libzmq itself never sends half a message.
        try {
            asio::io_context ioc;
            tcp::socket s(ioc);
            s.connect(raw_ep);
            std::string wire = zmtp_greeting() + zmtp_ready();
            for (int i = 0; i < 4; ++i)
                wire += zmtp_frame(random_bytes(rng, 64 * 1024), true);
            beast::error_code ec;
            asio::write(s, asio::buffer(wire), ec);
            t.bytes += static_cast<long>(wire.size());
        } catch (const std::exception&) {
        }
    }
}

// ---------------------------------------------------------------------------
// Figures

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto at = static_cast<std::size_t>(p * double(v.size() - 1) + 0.5);
    return v[std::min(at, v.size() - 1)];
}

/// Every stored submission's id, read back page by page.
std::set<std::int64_t> stored_ids(const options& o) {
    std::set<std::int64_t> ids;
    std::string cursor;
    for (;;) {
        const auto a = fresh(o, http::verb::get,
                             "/v1/submissions?limit=10000" + (cursor.empty() ? "" : "&cursor=" + cursor),
                             o.admin);
        if (a.status != 200) throw std::runtime_error("reading submissions: status " +
                                                      std::to_string(a.status));
        const auto v = boost::json::parse(a.body).as_object();
        for (const auto& s : v.at("submissions").as_array())
            ids.insert(s.at("id").to_number<std::int64_t>());
        if (v.at("next").is_null()) break;
        cursor = std::string(v.at("next").as_string());
    }
    return ids;
}

} // namespace

int main(int argc, char** argv) {
    options o;
    CLI::App cli{"Soak opeld under attack: idle connections, streams, hostile requests and "
                 "ZeroMQ junk while paced submissions run"};
    cli.add_option("--port", o.port, "opeld's HTTP port")->required();
    cli.add_option("--zmq", o.zmq, "opeld's ZeroMQ ingest endpoint (tcp://host:port)");
    cli.add_option("--pid", o.pid, "opeld's process id, for memory and liveness");
    cli.add_option("--duration", o.duration, "seconds (default 300)");
    cli.add_option("--rate", o.rate, "submissions a second (default 100)");
    cli.add_option("--idle", o.idle, "idle connections held (default 500)");
    cli.add_option("--streams", o.streams, "event streams held (default 200)");
    cli.add_option("--hostile", o.hostile, "hostile HTTP requests sent (default 1000)");
    cli.add_option("--junk-mib", o.junk_mib, "MiB of junk sent to ZeroMQ (default 10)");
    cli.add_option("--workers", o.workers, "submitting threads (default 8)");
    cli.add_option("--probe-ms", o.probe_ms, "a /healthz every this many ms (default 100)");
    cli.add_option("--healthz-limit-ms", o.healthz_limit_ms, "the longest /healthz allowed");
    cli.add_option("--rss-growth-mib", o.rss_growth_mib, "the most RSS may grow after warm-up");
    cli.add_flag("!--no-judge-timing", o.judge_timing,
                 "report /healthz times and memory, but do not fail on them");
    cli.add_option("--admin", o.admin, "an admin token (submits and reads back)");
    cli.add_option("--reader", o.reader, "a token that may read the event stream");
    cli.add_option("--practices", o.practices, "practice codes to submit for")->delimiter(',');
    CLI11_PARSE(cli, argc, argv);

    const tcp::endpoint ep(asio::ip::make_address(o.host), o.port);
    const auto t0 = clock_type::now();

    // Idle connections and streams on one thread.
    holders_tally holders;
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    std::vector<std::shared_ptr<idle_holder>> idles;
    std::vector<std::shared_ptr<stream_holder>> streams;
    for (int i = 0; i < o.idle; ++i) idles.push_back(std::make_shared<idle_holder>(ioc, ep, holders));
    for (int i = 0; i < o.streams; ++i)
        streams.push_back(std::make_shared<stream_holder>(ioc, ep, o.reader, holders));
    for (auto& h : idles) h->start();
    for (auto& h : streams) h->start();
    std::thread io([&] { ioc.run(); });

    submit_tally submits;
    hostile_tally hostile;
    junk_tally junk;
    std::atomic<long> next{0};
    const auto total = static_cast<long>(o.rate * o.duration);
    std::vector<std::thread> threads;
    for (int i = 0; i < o.workers; ++i)
        threads.emplace_back([&] { submitter(o, next, total, t0, submits); });
    threads.emplace_back([&] { hostile_sender(o, t0, hostile); });
    threads.emplace_back([&] { junk_sender(o, t0, junk); });

    // /healthz probes, each on a new connection, timed from connect to answer.
    std::vector<double> probes; // the prober's until it is joined
    long probe_failures = 0;
    std::atomic<long> probe_count{0};
    std::thread prober([&] {
        for (long i = 0; running; ++i) {
            std::this_thread::sleep_until(t0 + duration<double, std::milli>(double(i) * o.probe_ms));
            if (!running) break;
            const auto start = clock_type::now();
            const auto a = fresh(o, http::verb::get, "/healthz");
            const double ms = duration<double, std::milli>(clock_type::now() - start).count();
            if (a.status == 200) probes.push_back(ms);
            else ++probe_failures;
            ++probe_count;
        }
    });

    // Memory every second, and a line every tenth of the run.
    std::vector<std::pair<double, long>> rss; // (seconds, KiB)
    std::printf("%8s %8s %6s %6s %7s %8s %8s %8s %9s\n", "at_s", "rss_mib", "fds", "idle",
                "streams", "submits", "hostile", "junk_mib", "healthz");
    const double line_every = std::max(1.0, o.duration / 10);
    double next_line = 0;
    bool died = false;
    for (long s = 0; since(t0) < o.duration; ++s) {
        std::this_thread::sleep_until(t0 + std::chrono::seconds(s));
        if (!alive(o.pid)) {
            died = true;
            break;
        }
        if (o.pid > 0) rss.emplace_back(since(t0), status_kib(o.pid, "VmRSS"));
        if (since(t0) >= next_line) {
            next_line += line_every;
            long done;
            {
                std::lock_guard lock(submits.mu);
                done = static_cast<long>(submits.latency_ms.size());
            }
            std::printf("%8.0f %8.1f %6ld %6ld %7ld %8ld %8ld %8.1f %9ld\n", since(t0),
                        rss.empty() ? 0.0 : double(rss.back().second) / 1024, open_fds(o.pid),
                        holders.idle_open.load(), holders.streams_open.load(), done,
                        [&] { std::lock_guard l(hostile.mu); return hostile.sent; }(),
                        double(junk.bytes) / 1048576, probe_count.load());
            std::fflush(stdout);
        }
    }
    // Let the paced submissions finish (they are on schedule, or late), then stop.
    for (std::size_t i = 0; i < static_cast<std::size_t>(o.workers); ++i) threads[i].join();
    running = false;
    for (std::size_t i = static_cast<std::size_t>(o.workers); i < threads.size(); ++i)
        threads[i].join();
    prober.join();
    const long idle_at_end = holders.idle_open, streams_at_end = holders.streams_open;
    work.reset();
    ioc.stop();
    io.join();
    died = died || !alive(o.pid);

    // Every acknowledged submission must be stored.
    std::set<std::int64_t> stored;
    std::string read_error;
    try {
        if (!died) stored = stored_ids(o);
    } catch (const std::exception& e) {
        read_error = e.what();
    }
    long missing = 0;
    for (const auto id : submits.acked)
        if (!stored.count(id)) ++missing;

    // Memory after warm-up (the first minute, or the first fifth of a short run).
    const double warm = std::min(60.0, o.duration / 5);
    long rss_warm = -1, rss_end = -1, rss_max = -1;
    for (const auto& [at, kib] : rss) {
        if (rss_warm < 0 && at >= warm) rss_warm = kib;
        rss_end = kib;
        rss_max = std::max(rss_max, kib);
    }
    const double growth_mib = rss_warm < 0 ? 0 : double(rss_end - rss_warm) / 1024;
    const double probe_max = probes.empty() ? 0 : *std::max_element(probes.begin(), probes.end());
    const long probes_over = std::count_if(probes.begin(), probes.end(),
                                           [&](double ms) { return ms > o.healthz_limit_ms; });

    std::printf("\nduration %.0f s; held %d idle connections and %d streams (at the end: %ld and %ld; "
                "reopened %ld and %ld; idle answered 503: %ld)\n",
                o.duration, o.idle, o.streams, idle_at_end, streams_at_end,
                holders.idle_reopened.load(), holders.streams_reopened.load(),
                holders.idle_refused.load());
    std::printf("events read by the streams: %ld\n", holders.stream_events.load());
    std::printf("submissions: %zu answered (%ld over ZeroMQ): 2xx %ld, 4xx %ld, 5xx %ld, none %ld; "
                "latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n",
                submits.latency_ms.size(), submits.over_zmq, submits.by_status[2],
                submits.by_status[4], submits.by_status[5], submits.by_status[0],
                percentile(submits.latency_ms, 0.5), percentile(submits.latency_ms, 0.99),
                percentile(submits.latency_ms, 1.0));
    std::printf("acknowledged %zu, stored %zu, acknowledged but missing %ld%s%s\n",
                submits.acked.size(), stored.size(), missing, read_error.empty() ? "" : "; ",
                read_error.c_str());
    std::printf("hostile requests: %ld sent, %ld answered 4xx, %zu otherwise\n", hostile.sent,
                hostile.answered_4xx, hostile.bad.size());
    for (std::size_t i = 0; i < std::min<std::size_t>(hostile.bad.size(), 10); ++i)
        std::printf("  %s\n", hostile.bad[i].c_str());
    std::printf("ZeroMQ junk: %.1f MiB in %ld messages and %ld raw connections; %ld answered\n",
                double(junk.bytes) / 1048576, junk.messages.load(), junk.raw_connections.load(),
                junk.answered.load());
    std::printf("/healthz: %zu answered 200, %ld not; p50 %.1f ms, p99 %.1f ms, max %.1f ms; "
                "over %.0f ms: %ld\n",
                probes.size(), probe_failures, percentile(probes, 0.5), percentile(probes, 0.99),
                probe_max, o.healthz_limit_ms, probes_over);
    std::printf("RSS: %.1f MiB after %.0f s, %.1f MiB at the end (%+.1f MiB), peak %.1f MiB\n",
                double(rss_warm) / 1024, warm, double(rss_end) / 1024, growth_mib,
                double(rss_max) / 1024);

    std::vector<std::string> failed;
    if (died) failed.push_back("the daemon died");
    if (missing > 0 || !read_error.empty()) failed.push_back("acknowledged submissions missing");
    if (submits.by_status[5] > 0) failed.push_back("5xx answers to submissions");
    if (hostile.answered_4xx != hostile.sent) failed.push_back("a hostile request got no 4xx");
    if (probe_failures > 0) failed.push_back("a /healthz got no 200");
    if (o.judge_timing && probes_over > 0) failed.push_back("a /healthz took too long");
    if (o.judge_timing && growth_mib > o.rss_growth_mib) failed.push_back("RSS grew");
    for (const auto& f : failed) std::printf("FAILED: %s\n", f.c_str());
    if (failed.empty()) std::printf("attack soak: ok\n");
    return failed.empty() ? 0 : 1;
}
