// Webhooks as an operator sees them: delivery metrics, the admin alert for a
// subscriber that fails for an hour, https:// targets with certificate
// checks, and the outbox pruned. Time moves only on the manual clock.
#include "store/sqlite.hpp"
#include "support/webhook_receiver.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <fstream>

using namespace opel::test;
using namespace opel::test::webhook_support;
using namespace std::chrono_literals;

namespace {

/// A throw-away self-signed certificate and its key, in PEM.
struct certificate {
    std::string cert_pem;
    std::string key_pem;
};

/// A self-signed P-256 certificate for `san` ("IP:127.0.0.1", say), made
/// for this run and valid for a day around the real time.
certificate self_signed(const std::string& san) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    REQUIRE(key);
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_set_pubkey(x, key);
    X509_NAME* name = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("opeld test receiver"), -1,
                               -1, 0);
    X509_set_issuer_name(x, name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    for (const auto& [nid, value] : {std::pair{NID_subject_alt_name, san},
                                     std::pair{NID_basic_constraints, std::string("CA:TRUE")}}) {
        X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
        REQUIRE(ext);
        X509_add_ext(x, ext, -1);
        X509_EXTENSION_free(ext);
    }
    REQUIRE(X509_sign(x, key, EVP_sha256()) > 0);
    const auto pem = [](auto write) {
        BIO* bio = BIO_new(BIO_s_mem());
        write(bio);
        char* data = nullptr;
        const long n = BIO_get_mem_data(bio, &data);
        std::string out(data, static_cast<std::size_t>(n));
        BIO_free(bio);
        return out;
    };
    certificate c{pem([&](BIO* b) { PEM_write_bio_X509(b, x); }),
                  pem([&](BIO* b) {
                      PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr);
                  })};
    X509_free(x);
    EVP_PKEY_free(key);
    return c;
}

/// A server context presenting `c`.
std::shared_ptr<boost::asio::ssl::context> server_tls(const certificate& c) {
    auto ctx = std::make_shared<boost::asio::ssl::context>(boost::asio::ssl::context::tls_server);
    ctx->use_certificate_chain(boost::asio::buffer(c.cert_pem));
    ctx->use_private_key(boost::asio::buffer(c.key_pem), boost::asio::ssl::context::pem);
    return ctx;
}

/// Writes `text` to `dir`/`name` and returns the path.
std::string write_file(const std::filesystem::path& dir, const std::string& name,
                       const std::string& text) {
    const auto path = dir / name;
    std::ofstream(path) << text;
    return path.string();
}

/// The line of the /metrics text that starts with `prefix` (with its value).
std::string metric(http_client& c, const std::string& prefix) {
    const auto body = c.get("/metrics").body;
    const auto at = body.find("\n" + prefix);
    if (at == std::string::npos)
        return {};
    return body.substr(at + 1, body.find('\n', at + 1) - at - 1);
}

/// The alert events published on `topic`.
std::vector<boost::json::value> events_on(http_client& c, const std::string& topic) {
    const auto body = c.get("/v1/events?topic=" + topic, admin_token).json();
    std::vector<boost::json::value> out;
    for (const auto& e : body.at("events").as_array())
        if (e.at("topic") == topic.c_str())
            out.push_back(e);
    return out;
}

/// Runs the timers twice: the second is a barrier behind the outcomes the
/// first one's attempts wrote.
void settle(test_daemon& d) {
    d.daemon().run_timers().wait();
    d.daemon().run_timers().wait();
}

} // namespace

TEST_CASE("deliveries are counted by subscriber and result, with their latency", "[webhook]") {
    receiver r({503});
    test_daemon d(with_subscribers(subscriber("team", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(1));
    settle(d);
    CHECK(metric(c, "opeld_webhook_deliveries_total{subscriber=\"team\",result=\"retried\"}") ==
          "opeld_webhook_deliveries_total{subscriber=\"team\",result=\"retried\"} 1");
    d.clock().advance(10min);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(2));
    settle(d);
    const std::string team = "{subscriber=\"team\"";
    CHECK(metric(c, "opeld_webhook_deliveries_total" + team + ",result=\"delivered\"}")
              .ends_with("} 1"));
    CHECK(metric(c, "opeld_webhook_deliveries_total" + team + ",result=\"failed\"}")
              .ends_with("} 0"));
    // Ten minutes from the event to its 2xx, on the manual clock.
    CHECK(metric(c, "opeld_webhook_delivery_seconds_bucket" + team + ",le=\"300\"}")
              .ends_with("} 0"));
    CHECK(metric(c, "opeld_webhook_delivery_seconds_bucket" + team + ",le=\"3600\"}")
              .ends_with("} 1"));
    CHECK(metric(c, "opeld_webhook_delivery_seconds_sum" + team + "}") ==
          "opeld_webhook_delivery_seconds_sum" + team + "} 600");
    CHECK(metric(c, "opeld_webhook_delivery_seconds_count" + team + "}").ends_with("} 1"));
}

TEST_CASE("a subscriber failing for an hour raises one admin alert, resolved on recovery",
          "[webhook]") {
    receiver failing({}, 503);
    receiver admin;
    const auto subs = subscriber("hook", failing.url(), "primary_care_team") +
                      subscriber("ops", admin.url(), "admin");
    auto first = std::make_unique<test_daemon>(with_subscribers(subs));
    const std::string topic = "alert.L3.system.hook";
    {
        auto c = first->client();
        submit(c, 4);
        first->daemon().run_timers().wait();
        REQUIRE(failing.wait_for(1));
        settle(*first);
        first->clock().advance(59min); // an hour less a minute: not yet
        first->daemon().run_timers().wait();
        REQUIRE(failing.wait_for(2));
        settle(*first);
        CHECK(events_on(c, topic).empty());
        first->clock().advance(2min);
        first->daemon().run_timers().wait();
        REQUIRE(failing.wait_for(3));
        settle(*first);
        const auto raised = events_on(c, topic);
        REQUIRE(raised.size() == 1);
        const auto& a = raised[0].at("data");
        CHECK(a.at("rule") == "webhook-failing");
        CHECK(a.at("state") == "firing");
        CHECK(a.at("scope") == "system");
        CHECK(a.at("subject") == "hook");
        CHECK(a.at("audiences") == boost::json::parse(R"(["admin"])"));
        CHECK(std::string(a.at("message").as_string()).find("HTTP 503") != std::string::npos);
        // The admin subscriber gets it; the failing one is not its audience.
        REQUIRE(admin.wait_for(1));
        CHECK(admin.requests().back().topic() == topic);
        // Still failing: no second alert.
        first->clock().advance(10min);
        first->daemon().run_timers().wait();
        REQUIRE(failing.wait_for(4));
        settle(*first);
        CHECK(events_on(c, topic).size() == 1);
    }
    first->stop();
    // After a restart it is still the same open alert, not raised again.
    test_daemon second(*first, first->clock().now() + 10min);
    auto c = second.client();
    second.daemon().run_timers().wait();
    REQUIRE(failing.wait_for(5));
    settle(second);
    CHECK(events_on(c, topic).size() == 1);
    const auto open = c.get("/v1/alerts?state=open", admin_token).json().at("alerts");
    CHECK(std::count_if(open.as_array().begin(), open.as_array().end(), [](const auto& a) {
              return a.at("rule") == "webhook-failing";
          }) == 1);
    // It recovers: the alert resolves, and the admin subscriber hears so.
    failing.set_fallback(200);
    second.clock().advance(10min);
    second.daemon().run_timers().wait();
    REQUIRE(failing.wait_for(6));
    settle(second);
    const auto after = events_on(c, topic);
    REQUIRE(after.size() == 2);
    CHECK(after[1].at("data").at("state") == "resolved");
    CHECK(after[1].at("data").at("id") == after[0].at("data").at("id"));
    REQUIRE(admin.wait_for(2));
    CHECK(boost::json::parse(admin.requests().back().body).at("data").at("state") ==
          "resolved");
}

TEST_CASE("an https subscriber is delivered to when its CA is trusted", "[webhook][tls]") {
    const auto cert = self_signed("IP:127.0.0.1");
    receiver r({}, 200, server_tls(cert));
    temp_dir dir;
    const auto ca = write_file(dir.path(), "ca.pem", cert.cert_pem);
    test_daemon d(with_subscribers(
        subscriber("tls", r.url(), "primary_care_team", "    ca_file: " + ca + "\n")));
    auto c = d.client();
    const auto pending = two_alerts_pending(c, "tls");
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for(pending));
    CHECK(r.requests().at(0).target == "/hook");
    CHECK(r.connections() == 1); // one TLS session carried them all
    settle(d);
    const auto s = standing(c, "tls");
    CHECK(s.at("pending") == 0);
    CHECK(s.at("last_error").is_null());
}

TEST_CASE("an https subscriber with an untrusted certificate is retried, and says why",
          "[webhook][tls]") {
    const auto cert = self_signed("IP:127.0.0.1");
    receiver r({}, 200, server_tls(cert));
    test_daemon d(with_subscribers(subscriber("tls", r.url(), "primary_care_team")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for_refusals(1));
    settle(d);
    const auto s = standing(c, "tls");
    CHECK(s.at("pending") == 1);
    const std::string error(s.at("last_error").as_string());
    CHECK(error.starts_with("TLS handshake: "));
    CHECK(error.find("self-signed certificate") != std::string::npos);
    CHECK(r.requests().empty());
}

TEST_CASE("an https subscriber whose certificate names another host is refused",
          "[webhook][tls]") {
    const auto cert = self_signed("DNS:receiver.example");
    receiver r({}, 200, server_tls(cert));
    temp_dir dir;
    const auto ca = write_file(dir.path(), "ca.pem", cert.cert_pem);
    test_daemon d(with_subscribers(
        subscriber("tls", r.url(), "primary_care_team", "    ca_file: " + ca + "\n")));
    auto c = d.client();
    submit(c, 4);
    d.daemon().run_timers().wait();
    REQUIRE(r.wait_for_refusals(1));
    settle(d);
    const std::string error(standing(c, "tls").at("last_error").as_string());
    CHECK(error.find("mismatch") != std::string::npos);
    CHECK(r.requests().empty());
}

TEST_CASE("the outbox keeps no delivered row, and failed ones for 7 days",
          "[webhook]") {
    receiver live;
    const auto dead_url = "http://127.0.0.1:" + std::to_string(unused_port()) + "/hook";
    // A Friday: the days after it bring one daily summary (sent on Monday).
    test_daemon d(with_subscribers(subscriber("live", live.url(), "primary_care_team") +
                                   subscriber("dead", dead_url, "primary_care_team")),
                  test_epoch() + 48h);
    auto c = d.client();
    const auto sent = two_alerts_pending(c, "dead");
    d.daemon().run_timers().wait();
    REQUIRE(live.wait_for(sent));
    settle(d);
    // The outbox holds pending rows, failed ones their own table.
    const auto rows = [&](const std::string& who, const std::string& table) {
        opel::store::sqlite::db db(d.dir() / "opeld.db", false, true);
        auto st = db.prepare("SELECT count(*) FROM " + table + " WHERE subscriber = ?1");
        st.bind(1, who);
        REQUIRE(st.step());
        return st.int64(0);
    };
    CHECK(rows("live", "outbox") == 0); // delivered rows are deleted at once
    CHECK(rows("live", "subscriber_standing") == 1); // the last success, for /v1/subscribers
    CHECK(standing(c, "live").at("last_success").is_string());
    d.clock().advance(25h); // the dead one's deliveries are given up, one a round
    for (int i = 0; i < 10 && rows("dead", "outbox") > 0; ++i)
        settle(d);
    CHECK(rows("dead", "failed_deliveries") == static_cast<std::int64_t>(sent));
    d.clock().advance(6 * 24h); // 7 days and 1 hour after the events
    settle(d);
    settle(d);
    CHECK(rows("dead", "failed_deliveries") == 0);
    CHECK(standing(c, "dead").at("failed") == 0);
}
