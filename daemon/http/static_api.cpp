// Serves the dashboard's embedded files. Lookups go through the table that
// cmake/embed_assets.cmake generates and nothing else, so no request path,
// however it is encoded, can reach the filesystem. The pages carry a
// Content-Security-Policy restricted to 'self' (all script lives in .js
// files), and every file an ETag so that a wall screen revalidating after a
// reload costs a 304, while a daemon upgrade is picked up at once.
#include "http/static_api.hpp"

#include "core/crypto.hpp"
#include "http/assets.hpp"

#include <array>
#include <map>
#include <memory>
#include <string>
#include <utility>

namespace opel::http {

namespace bhttp = boost::beast::http;
using service::reply;

namespace {

/// 'self' only; connect-src for fetch() of the API and the stream, no
/// framing (clickjacking of the acknowledge button), no plugins, no <base>.
constexpr std::string_view csp = "default-src 'self'; script-src 'self'; style-src 'self'; "
                                 "img-src 'self' data:; connect-src 'self'; object-src 'none'; "
                                 "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

struct file {
    std::string_view bytes;
    std::string_view type;
    std::string etag;
};

using file_table = std::map<std::string, file, std::less<>>;

file_table build_table() {
    file_table t;
    for (const auto& a : assets()) {
        const auto digest = core::sha256(a.bytes);
        // A strong validator of the bytes; 16 bytes of SHA-256 are plenty.
        auto etag = "\"" + core::to_hex(std::span(digest).first(16)) + "\"";
        t.emplace(std::string(a.path), file{a.bytes, content_type_for(a.path), std::move(etag)});
    }
    return t;
}

bool etag_matches(std::string_view if_none_match, std::string_view etag) {
    if (if_none_match == "*") return true;
    // A list of entity tags, possibly weak (W/"..."): compare the opaque parts.
    std::size_t i = 0;
    while (i < if_none_match.size()) {
        const auto comma = if_none_match.find(',', i);
        auto tag = if_none_match.substr(i, comma == std::string_view::npos ? std::string_view::npos
                                                                           : comma - i);
        while (!tag.empty() && tag.front() == ' ')
            tag.remove_prefix(1);
        while (!tag.empty() && tag.back() == ' ')
            tag.remove_suffix(1);
        if (tag.starts_with("W/")) tag.remove_prefix(2);
        if (tag == etag) return true;
        if (comma == std::string_view::npos) break;
        i = comma + 1;
    }
    return false;
}

reply answer(const call& c, const file& f) {
    reply r;
    r.content_type = std::string(f.type);
    // no-cache is "revalidate before use", not "do not store": with the
    // ETag the revalidation is a 304 and an upgraded daemon is seen at once.
    r.headers = {{"Cache-Control", "no-cache"},
                 {"ETag", f.etag},
                 {"Content-Security-Policy", std::string(csp)},
                 {"X-Content-Type-Options", "nosniff"},
                 {"Referrer-Policy", "no-referrer"}};
    if (const auto it = c.req.find(bhttp::field::if_none_match);
        it != c.req.end() && etag_matches(it->value(), f.etag)) {
        r.status = 304;
        return r;
    }
    r.status = 200;
    r.body = std::string(f.bytes);
    return r;
}

// The name is not echoed: it is whatever the client sent, decoded.
reply not_found() {
    return service::error_reply(404, "not_found", "The dashboard has no such file.");
}

} // namespace

std::string_view content_type_for(std::string_view name) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> types{{
        {".html", "text/html; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"},
        {".css", "text/css; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
        {".json", "application/json"},
    }};
    for (const auto& [ext, type] : types)
        if (name.ends_with(ext)) return type;
    return "application/octet-stream";
}

void add_static_routes(router& r) {
    // Built once per router and shared by its handlers; the bytes themselves
    // are the binary's and are never copied into the table.
    auto files = std::make_shared<const file_table>(build_table());
    const auto page = [files](std::string name) {
        return [files, name = std::move(name)](call& c, done on_done) {
            const auto it = files->find(name);
            on_done(it == files->end() ? not_found() : answer(c, it->second));
        };
    };
    r.add(bhttp::verb::get, "/", page("/index.html"));
    r.add(bhttp::verb::get, "/report", page("/report.html"));
    r.add(bhttp::verb::get, "/wall", page("/wall.html"));
    r.add(bhttp::verb::get, "/static/{}", [files](call& c, done on_done) {
        const auto name = "/" + c.params.at(0);
        const auto it = files->find(name);
        on_done(it == files->end() ? not_found() : answer(c, it->second));
    });
}

} // namespace opel::http
