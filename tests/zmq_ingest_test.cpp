// Integration tests of ZeroMQ ingest through the real app: the same
// submission path as HTTP, REQ and DEALER clients, pipelining, bad payloads.
#include "support/log_capture.hpp"
#include "support/test_daemon.hpp"

#include <zmq.hpp>
#include <zmq_addon.hpp>

#include <set>

using namespace opel::test;

namespace {

std::string payload(const std::string& practice, int level, const std::string& token,
                    const std::string& extra = {}) {
    return R"({"practice":")" + practice + R"(","level":)" + std::to_string(level) +
           R"(,"token":")" + token + "\"" + extra + "}";
}

boost::json::value request(zmq::socket_t& req, const std::string& body) {
    req.send(zmq::buffer(body), zmq::send_flags::none);
    zmq::message_t reply;
    REQUIRE(req.recv(reply));
    return boost::json::parse(reply.to_string());
}

} // namespace

TEST_CASE("a REQ client submits and gets the HTTP answer plus status", "[zmq]") {
    test_daemon d;
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::rcvtimeo, 5000);
    req.connect(d.daemon().zmq_ingest_endpoint());
    const auto a = request(req, payload("C82001", 3, practice_token));
    CHECK(a.at("status") == 201);
    CHECK(a.at("practice") == "C82001");
    CHECK(a.at("id").as_int64() == 1);
    auto c = d.client();
    CHECK(c.get("/v1/submissions", team_token).json().at("submissions").as_array().size() == 1);
}

TEST_CASE("ZeroMQ refusals carry the same statuses as HTTP", "[zmq]") {
    test_daemon d;
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::rcvtimeo, 5000);
    req.connect(d.daemon().zmq_ingest_endpoint());
    CHECK(request(req, payload("C82001", 3, "wrong")).at("status") == 401);
    CHECK(request(req, payload("C82002", 3, practice_token)).at("status") == 403);
    CHECK(request(req, payload("C82001", 7, practice_token)).at("status") == 422);
    CHECK(request(req, "not json").at("status") == 400);
    CHECK(request(req, "").at("status") == 400);
    CHECK(request(req, "[1]").at("status") == 400);
    const auto big = request(req, std::string(1 << 20, 'x'));
    CHECK(big.at("status").as_int64() >= 400);
    CHECK(request(req, payload("C82001", 2, practice_token)).at("status") == 201);
    auto c = d.client();
    CHECK(c.get("/v1/submissions", team_token).json().at("submissions").as_array().size() == 1);
}

TEST_CASE("ZeroMQ refusals name the peer's address and count against its per-address limit",
          "[zmq][limits]") {
    log_capture logs;
    config_options o;
    o.limits = "rate: 0\n  per_address: {rate: 1, burst: 2, exempt: []}";
    test_daemon d(o); // its clock stands still: no bucket refills
    zmq::context_t ctx;
    zmq::socket_t req(ctx, zmq::socket_type::req);
    req.set(zmq::sockopt::rcvtimeo, 5000);
    req.connect(d.daemon().zmq_ingest_endpoint());
    CHECK(request(req, payload("C82001", 3, "wrong")).at("status") == 401);
    CHECK(logs.count("refused 127.0.0.1 zmq ingest: 401") == 1);
    CHECK(request(req, payload("C82001", 3, practice_token)).at("status") == 201);
    // The same limits as HTTP's, in a bucket of ZeroMQ's own.
    const auto limited = request(req, payload("C82001", 3, practice_token));
    CHECK(limited.at("status") == 429);
    CHECK(limited.at("error").at("code") == "rate_limited");
    CHECK(d.client().get("/healthz").status == 200);
    auto c = d.client();
    CHECK(c.get("/v1/submissions", team_token).json().at("submissions").as_array().size() == 1);
}

TEST_CASE("a DEALER pipelines 1,000 requests and matches every reply by its tag", "[zmq]") {
    test_daemon d;
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::rcvtimeo, 10000);
    dealer.connect(d.daemon().zmq_ingest_endpoint());
    constexpr int n = 1000;
    for (int i = 0; i < n; ++i) {
        const std::string tag = "tag-" + std::to_string(i);
        const auto body = payload("C82001", 1 + i % 2, practice_token);
        std::array<zmq::const_buffer, 2> frames{zmq::buffer(tag), zmq::buffer(body)};
        REQUIRE(zmq::send_multipart(dealer, frames));
    }
    std::set<std::string> tags;
    for (int i = 0; i < n; ++i) {
        std::vector<zmq::message_t> reply;
        REQUIRE(zmq::recv_multipart(dealer, std::back_inserter(reply)));
        REQUIRE(reply.size() == 2);
        CHECK(boost::json::parse(reply[1].to_string()).at("status") == 201);
        tags.insert(reply[0].to_string());
    }
    CHECK(tags.size() == n);
    auto c = d.client();
    CHECK(c.get("/v1/submissions?limit=10000", team_token)
              .json().at("submissions").as_array().size() == n);
}

TEST_CASE("a DEALER may send the payload after an empty delimiter frame", "[zmq]") {
    test_daemon d;
    zmq::context_t ctx;
    zmq::socket_t dealer(ctx, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::rcvtimeo, 5000);
    dealer.connect(d.daemon().zmq_ingest_endpoint());
    const auto body = payload("C82001", 2, practice_token);
    std::array<zmq::const_buffer, 2> frames{zmq::const_buffer(nullptr, 0), zmq::buffer(body)};
    REQUIRE(zmq::send_multipart(dealer, frames));
    std::vector<zmq::message_t> reply;
    REQUIRE(zmq::recv_multipart(dealer, std::back_inserter(reply)));
    REQUIRE(reply.size() == 2);
    CHECK(reply[0].size() == 0);
    CHECK(boost::json::parse(reply[1].to_string()).at("status") == 201);
}
