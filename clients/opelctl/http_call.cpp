// opelctl's HTTP transport. Every operation is asynchronous underneath and
// driven to completion on a private io_context, because that is how Beast's
// tcp_stream applies a deadline; callers see plain blocking calls. Failures
// to reach the server become connect_error (exit 3); a 4xx/5xx is an answer,
// turned into refused_error (exit 1) by json_or_throw with the server's text.
#include "http_call.hpp"

#include "ctl_error.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <boost/url.hpp>

namespace opel::ctl {

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using boost::system::error_code;

namespace {

/// Bounds what a reply may hold in memory; the largest real one is a page
/// of 10,000 submissions, far below this.
constexpr std::uint64_t answer_limit = 256ull * 1024 * 1024;

/// Starts one asynchronous operation and runs the io_context until it ends.
template <class Start> error_code run_op(asio::io_context& ioc, Start&& start) {
    error_code result = asio::error::would_block;
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
}

std::string text_of(const boost::json::value& v) {
    return v.is_string() ? std::string(v.get_string()) : std::string();
}

} // namespace

base_url parse_base_url(const std::string& url) {
    const auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        throw usage_error("server URL " + url + " is not a URL (e.g. http://127.0.0.1:8080)");
    const auto& u = *parsed;
    if (u.scheme() != "http")
        throw usage_error("server URL " + url + ": only http:// is supported");
    if (u.host().empty())
        throw usage_error("server URL " + url + " has no host");
    base_url b;
    b.host = u.host();
    b.port = u.has_port() ? std::string(u.port()) : "80";
    b.path = u.path();
    while (!b.path.empty() && b.path.back() == '/')
        b.path.pop_back();
    return b;
}

std::string with_query(const std::string& path,
                       const std::vector<std::pair<std::string, std::string>>& query) {
    boost::urls::url u;
    u.set_encoded_path(path);
    for (const auto& [k, v] : query)
        u.params().append({k, v});
    return std::string(u.buffer());
}

std::string path_segment(std::string_view segment) {
    boost::urls::url u;
    u.segments().push_back(segment);
    return std::string(u.encoded_path());
}

std::string describe_error(const http_answer& a) {
    std::string out = std::to_string(a.status);
    boost::system::error_code ec;
    const auto v = boost::json::parse(a.body, ec);
    const auto* err = !ec && v.is_object() ? v.as_object().if_contains("error") : nullptr;
    if (!err || !err->is_object())
        return out + ": " + (a.body.empty() ? "the server refused the request" : a.body);
    const auto& e = err->as_object();
    const auto field = e.contains("field") ? text_of(e.at("field")) : std::string();
    out += " " + (e.contains("code") ? text_of(e.at("code")) : std::string("error"));
    out += ": " + (e.contains("message") ? text_of(e.at("message")) : std::string());
    if (!field.empty())
        out += " (field: " + field + ")";
    return out;
}

boost::json::value json_or_throw(const http_answer& a) {
    if (a.status < 200 || a.status > 299)
        throw refused_error(a.status, describe_error(a));
    boost::system::error_code ec;
    auto v = boost::json::parse(a.body, ec);
    if (ec)
        throw std::runtime_error("the server's answer is not JSON: " + ec.message());
    return v;
}

http_call::http_call(connection c)
    : conn_(std::move(c)), base_(parse_base_url(conn_.url)), stream_(ioc_) {}

void http_call::open() {
    if (stream_.socket().is_open())
        close(); // a stream left open when its reader stopped early
    const auto where = base_.host + ":" + base_.port;
    asio::ip::tcp::resolver resolver(ioc_);
    error_code ec;
    const auto results = resolver.resolve(base_.host, base_.port, ec);
    if (ec)
        throw connect_error("cannot resolve " + base_.host + ": " + ec.message());
    stream_.expires_after(conn_.timeout);
    ec = run_op(ioc_, [&](auto h) { stream_.async_connect(results, std::move(h)); });
    if (ec == boost::beast::error::timeout)
        throw connect_error("timed out connecting to " + where);
    if (ec)
        throw connect_error("cannot connect to " + where + ": " + ec.message());
}

void http_call::send(bhttp::verb method, const std::string& target, const std::string& body,
                     const std::string& content_type, const header_list& headers) {
    bhttp::request<bhttp::string_body> req{method, base_.path + target, 11};
    req.set(bhttp::field::host, base_.host);
    req.set(bhttp::field::user_agent, std::string("opelctl/") + OPEL_VERSION);
    if (!conn_.token.empty())
        req.set(bhttp::field::authorization, "Bearer " + conn_.token);
    if (!content_type.empty())
        req.set(bhttp::field::content_type, content_type);
    for (const auto& [k, v] : headers)
        req.set(k, v);
    req.body() = body;
    req.prepare_payload();
    stream_.expires_after(conn_.timeout);
    const auto ec = run_op(ioc_, [&](auto h) { bhttp::async_write(stream_, req, std::move(h)); });
    if (ec)
        throw connect_error("cannot send the request to " + base_.host + ": " + ec.message());
}

void http_call::close() {
    error_code ignored;
    stream_.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    stream_.close();
    buffer_.clear();
}

http_answer http_call::request(bhttp::verb method, const std::string& target,
                               const std::string& body, const std::string& content_type,
                               const header_list& headers) {
    open();
    send(method, target, body, content_type, headers);
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(answer_limit);
    stream_.expires_after(conn_.timeout);
    const auto ec =
        run_op(ioc_, [&](auto h) { bhttp::async_read(stream_, buffer_, parser, std::move(h)); });
    close();
    if (ec == boost::beast::error::timeout)
        throw connect_error("the server did not answer within the timeout");
    if (ec)
        throw connect_error("no answer from the server: " + ec.message());
    const auto& res = parser.get();
    return {static_cast<int>(res.result_int()), std::string(res[bhttp::field::content_type]),
            res.body()};
}

http_answer http_call::post_json(const std::string& target, const boost::json::value& body,
                                 const header_list& headers) {
    return request(bhttp::verb::post, target, boost::json::serialize(body), "application/json",
                   headers);
}

void http_call::stream(const std::string& target, const header_list& headers,
                       const std::function<void(std::string_view)>& on_data) {
    open();
    send(bhttp::verb::get, target, {}, {}, headers);
    bhttp::response_parser<bhttp::buffer_body> parser;
    parser.body_limit(boost::none); // a feed has no end
    stream_.expires_after(conn_.timeout);
    auto ec = run_op(
        ioc_, [&](auto h) { bhttp::async_read_header(stream_, buffer_, parser, std::move(h)); });
    if (ec) {
        close();
        throw connect_error("no answer from the server: " + ec.message());
    }
    const int status = static_cast<int>(parser.get().result_int());
    std::string refusal;
    // A feed may be quiet for hours: after the headers only a drop ends it.
    stream_.expires_never();
    char piece[8192];
    while (!parser.is_done()) {
        parser.get().body().data = piece;
        parser.get().body().size = sizeof piece;
        ec = run_op(ioc_, [&](auto h) {
            bhttp::async_read_some(stream_, buffer_, parser, std::move(h));
        });
        const std::string_view got(piece, sizeof piece - parser.get().body().size);
        if (status >= 200 && status <= 299)
            on_data(got);
        else if (refusal.size() < 64 * 1024)
            refusal.append(got);
        if (ec && ec != bhttp::error::need_buffer)
            break;
    }
    close();
    if (status < 200 || status > 299)
        throw refused_error(status, describe_error({status, {}, refusal}));
}

} // namespace opel::ctl
