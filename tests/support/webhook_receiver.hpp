#pragma once
// A webhook receiver for the tests: a real HTTP (or HTTPS) server on
// 127.0.0.1 on its own thread that records what the daemon posts and answers
// a scripted status per request, plus the helpers the webhook tests share.
// Waits are on a condition variable with a timeout, never sleeps.

#include "support/test_daemon.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <optional>

namespace opel::test {

namespace webhook_support {

namespace bhttp = boost::beast::http;
using tcp = boost::asio::ip::tcp;
using namespace std::chrono_literals;

/// One request as the receiver got it.
struct received {
    std::string target;
    std::string body;
    std::string signature;
    std::string seq_header;
    std::string authorization;
    std::string host;
    std::string content_type;
    std::string count_header; ///< X-Opel-Event-Count: batch subscribers only
    std::int64_t seq() const { return boost::json::parse(body).at("seq").as_int64(); }
    std::string topic() const {
        return std::string(boost::json::parse(body).at("topic").as_string());
    }
    /// A batch's events, lowest seq first.
    boost::json::array events() const {
        return boost::json::parse(body).at("events").as_array();
    }
};

/// An HTTP server on its own thread: answers each request with the next
/// scripted status (then `fallback`) and records it, keeping the connection
/// open for the next request as HTTP/1.1 allows. With a TLS context it
/// speaks HTTPS, counting the handshakes that failed.
class receiver {
public:
    /// In the script: read the request, then close the connection without
    /// answering, as a peer that closed an idle connection just as a POST came.
    static constexpr int drop = 0;

    explicit receiver(std::deque<int> script = {}, int fallback = 200,
                      std::shared_ptr<boost::asio::ssl::context> tls = {})
        : script_(std::move(script)), fallback_(fallback), tls_(std::move(tls)),
          acceptor_(ioc_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
        do_accept();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~receiver() {
        ioc_.stop();
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    std::string url() const {
        return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port()) +
               "/hook";
    }
    /// Answers `status` from now on once the script is used up.
    void set_fallback(int status) {
        std::lock_guard lock(mu_);
        fallback_ = status;
    }
    /// From now on answers with `Connection: close`, then neither reads more
    /// from the connection nor closes it: a client that sent another request
    /// on it would wait for an answer in vain.
    void set_closing() {
        std::lock_guard lock(mu_);
        closing_ = true;
    }
    /// From now on answers each request only once `gate` is ready (the
    /// request is recorded at once, so wait_for sees it while it waits).
    void hold_answers(std::shared_future<void> gate) {
        std::lock_guard lock(mu_);
        gate_ = std::move(gate);
    }
    /// Waits until `n` requests have come (false after `limit`).
    bool wait_for(std::size_t n, std::chrono::seconds limit = 10s) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, limit, [&] { return got_.size() >= n; });
    }
    /// Waits until `n` TLS handshakes have failed (false after 10 s).
    bool wait_for_refusals(std::size_t n) {
        std::unique_lock lock(mu_);
        return cv_.wait_for(lock, 10s, [&] { return refused_ >= n; });
    }
    std::vector<received> requests() {
        std::lock_guard lock(mu_);
        return got_;
    }
    /// Connections accepted so far.
    std::size_t connections() {
        std::lock_guard lock(mu_);
        return connections_;
    }

private:
    /// One accepted connection, answering requests until the client closes it.
    template <class Stream>
    struct session : std::enable_shared_from_this<session<Stream>> {
        session(receiver& r, Stream s) : owner(r), stream(std::move(s)) {}
        void handshake() {
            stream.async_handshake(boost::asio::ssl::stream_base::server,
                                   [self = this->shared_from_this()](const auto& ec) {
                                       if (ec)
                                           return self->owner.count_refusal();
                                       self->read();
                                   });
        }
        void read() {
            req = {};
            bhttp::async_read(stream, buffer, req,
                              [self = this->shared_from_this()](const auto& ec, std::size_t) {
                                  if (!ec)
                                      self->answer();
                              });
        }
        void answer() {
            const auto [status, closing] = owner.take(req);
            owner.wait_for_gate();
            if (status == drop)
                return; // this session, and with it the connection, ends here
            res = {static_cast<bhttp::status>(status), 11};
            res.body() = "ok";
            res.keep_alive(req.keep_alive() && !closing);
            res.prepare_payload();
            bhttp::async_write(stream, res,
                               [self = this->shared_from_this(), closing](const auto& ec,
                                                                          std::size_t) {
                                   if (ec)
                                       return;
                                   if (closing)
                                       self->owner.lingering_.push_back(self);
                                   else if (self->res.keep_alive())
                                       self->read();
                               });
        }
        receiver& owner;
        Stream stream;
        boost::beast::flat_buffer buffer;
        bhttp::request<bhttp::string_body> req;
        bhttp::response<bhttp::string_body> res;
    };

    void do_accept() {
        acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket s) {
            if (ec)
                return;
            {
                std::lock_guard lock(mu_);
                ++connections_;
            }
            if (tls_) {
                using tls_stream = boost::asio::ssl::stream<tcp::socket>;
                std::make_shared<session<tls_stream>>(*this, tls_stream(std::move(s), *tls_))
                    ->handshake();
            } else {
                std::make_shared<session<tcp::socket>>(*this, std::move(s))->read();
            }
            do_accept();
        });
    }
    /// Records `req`; the status to answer and whether to close after it.
    std::pair<int, bool> take(const bhttp::request<bhttp::string_body>& req) {
        std::pair<int, bool> out;
        {
            std::lock_guard lock(mu_);
            got_.push_back({std::string(req.target()), req.body(),
                            std::string(req["X-Opel-Signature"]),
                            std::string(req["X-Opel-Event-Seq"]),
                            std::string(req[bhttp::field::authorization]),
                            std::string(req[bhttp::field::host]),
                            std::string(req[bhttp::field::content_type]),
                            std::string(req["X-Opel-Event-Count"])});
            out = {script_.empty() ? fallback_ : script_.front(), closing_};
            if (!script_.empty())
                script_.pop_front();
        }
        cv_.notify_all();
        return out;
    }
    void wait_for_gate() {
        std::optional<std::shared_future<void>> gate;
        {
            std::lock_guard lock(mu_);
            gate = gate_;
        }
        if (gate)
            gate->wait();
    }
    void count_refusal() {
        {
            std::lock_guard lock(mu_);
            ++refused_;
        }
        cv_.notify_all();
    }

    std::mutex mu_;
    std::condition_variable cv_;
    std::vector<received> got_;
    std::optional<std::shared_future<void>> gate_;
    std::size_t refused_ = 0;
    std::size_t connections_ = 0;
    std::deque<int> script_;
    int fallback_;
    bool closing_ = false;
    std::shared_ptr<boost::asio::ssl::context> tls_;
    boost::asio::io_context ioc_;
    std::vector<std::shared_ptr<void>> lingering_; ///< io thread; before ioc_ in destruction
    tcp::acceptor acceptor_;
    std::thread thread_;
};

inline std::string subscriber(const std::string& name, const std::string& url,
                              const std::string& audiences, const std::string& more = "") {
    return "  - name: " + name + "\n    url: " + url + "\n    audiences: [" + audiences +
           "]\n" + more;
}

inline config_options with_subscribers(const std::string& list) {
    return config_options{.extra = "subscribers:\n" + list};
}

inline void submit(http_client& c, int level, const std::string& practice = "C82001") {
    const auto a = c.post("/v1/submissions",
                          R"({"practice":")" + practice + R"(","level":)" +
                              std::to_string(level) + "}",
                          admin_token);
    REQUIRE(a.status == 201);
}

/// The /v1/subscribers entry named `name`.
inline boost::json::object standing(http_client& c, const std::string& name) {
    const auto a = c.get("/v1/subscribers", team_token);
    REQUIRE(a.status == 200);
    const auto body = a.json();
    for (const auto& s : body.at("subscribers").as_array())
        if (s.at("name") == name.c_str())
            return s.as_object();
    FAIL("no subscriber " << name);
    return {};
}

/// Two level-4 reports from two practices: the deliveries they queued for
/// `subscriber` (at least 2). Counted from the event log as routing does
/// (every daily summary; an alert not inhibited, of the subscriber's
/// audiences, level and prefix), not from its pending rows: each commit
/// starts the subscriber's lane at once, so some may already be delivered.
inline std::size_t two_alerts_pending(http_client& c, const std::string& subscriber) {
    submit(c, 4, "C82001");
    submit(c, 4, "C82002");
    const auto sub = standing(c, subscriber);
    const auto& audiences = sub.at("audiences").as_array();
    const std::string prefix(sub.at("topic_prefix").as_string());
    std::size_t queued = 0;
    const auto log = c.get("/v1/events", team_token).json();
    for (const auto& ev : log.at("events").as_array()) {
        const std::string_view topic = ev.at("topic").as_string();
        if (topic == "summary.daily") {
            ++queued;
            continue;
        }
        const auto& a = ev.at("data").as_object();
        if (!topic.starts_with("alert.") || !topic.starts_with(prefix) ||
            !a.at("inhibited_by").is_null() ||
            a.at("level").as_int64() < sub.at("min_level").as_int64())
            continue;
        for (const auto& want : a.at("audiences").as_array())
            if (std::find(audiences.begin(), audiences.end(), want) != audiences.end()) {
                ++queued;
                break;
            }
    }
    REQUIRE(queued >= 2);
    return queued;
}

/// A port with nothing listening: connecting to it is refused.
inline std::uint16_t unused_port() {
    boost::asio::io_context ioc;
    tcp::acceptor a(ioc, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

} // namespace webhook_support

} // namespace opel::test
