// Building responses: every answer is no-store (they carry live data and
// tokens' views of it) and framed by Content-Length.
#include "http/response.hpp"

namespace opel::http {

namespace bhttp = boost::beast::http;

namespace {

/// The pages (dashboard, wall, summaries) load scripts and styles from the
/// daemon only and talk to it only; the summaries' inline <style> is why
/// styles allow 'unsafe-inline' (no script may be inline).
constexpr const char* html_policy =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'";

} // namespace

std::shared_ptr<response> make_response(service::reply r, unsigned version, bool keep_alive) {
    auto res = std::make_shared<response>(static_cast<bhttp::status>(r.status), version);
    res->set(bhttp::field::content_type, r.content_type);
    res->set(bhttp::field::cache_control, "no-store");
    // No answer is to be sniffed into another type (a JSON error read as HTML).
    res->set("X-Content-Type-Options", "nosniff");
    if (r.content_type.starts_with("text/html"))
        res->set("Content-Security-Policy", html_policy);
    for (auto& [name, value] : r.headers)
        res->set(name, value);
    res->keep_alive(keep_alive);
    res->body() = std::move(r.body);
    res->prepare_payload();
    return res;
}

} // namespace opel::http
