// The listener sections, `http:` and `zmq:`: where the daemon binds and how
// much it accepts. Each key is one entry of a field table; a section parser
// is the table plus the checks that span keys (TLS needs cert and key).
#include "config/config_sections.hpp"
#include "config/value_parsers.hpp"

#include <limits>

namespace opel::config {

namespace {

constexpr std::int64_t int_max = std::numeric_limits<int>::max();

/// A positive size (connections, bytes).
void read_size(yaml_reader& r, const entry& e, std::size_t& out) {
    if (const auto n = r.integer(e, 1, int_max)) out = static_cast<std::size_t>(*n);
}

/// A duration in whole seconds, at most a day.
void read_seconds(yaml_reader& r, const entry& e, std::chrono::seconds& out) {
    if (const auto n = r.integer(e, 1, 24 * 60 * 60)) out = std::chrono::seconds(*n);
}

void read_listen(yaml_reader& r, const entry& e, http_config& http) {
    const auto text = r.text(e);
    if (!text) return;
    std::string why;
    if (auto a = parse_listen_address(*text, why))
        http.listen = std::move(*a);
    else
        r.error(e, "'" + *text + "' is not a listen address: " + why);
}

const field_table<http_config> http_fields{
    {"listen", read_listen},
    {"max_connections",
     [](yaml_reader& r, const entry& e, http_config& h) { read_size(r, e, h.max_connections); }},
    {"max_connections_per_address",
     [](yaml_reader& r, const entry& e, http_config& h) {
         read_size(r, e, h.max_connections_per_address);
     }},
    {"header_limit",
     [](yaml_reader& r, const entry& e, http_config& h) { read_size(r, e, h.header_limit); }},
    {"body_limit",
     [](yaml_reader& r, const entry& e, http_config& h) { read_size(r, e, h.body_limit); }},
    {"read_timeout",
     [](yaml_reader& r, const entry& e, http_config& h) { read_seconds(r, e, h.read_timeout); }},
    {"idle_timeout",
     [](yaml_reader& r, const entry& e, http_config& h) { read_seconds(r, e, h.idle_timeout); }},
    {"tls_cert",
     [](yaml_reader& r, const entry& e, http_config& h) { h.tls_cert = r.existing_file(e); }},
    {"tls_key",
     [](yaml_reader& r, const entry& e, http_config& h) { h.tls_key = r.existing_file(e); }},
};

void read_endpoint(yaml_reader& r, const entry& e, std::string& out) {
    // An empty endpoint is how a socket is turned off, so null counts too.
    const auto text = e.value.IsNull() ? std::optional<std::string>("") : r.scalar<std::string>(e);
    if (!text) return;
    if (text->empty() || is_zmq_endpoint(*text))
        out = *text;
    else
        r.error(e, "'" + *text +
                       "' is not a ZeroMQ endpoint (tcp://, ipc:// or inproc://, "
                       "or empty to turn the socket off)");
}

void read_public_keys(yaml_reader& r, const entry& e, std::vector<std::string>& out) {
    const auto items = r.list(e);
    if (!items) return;
    for (const auto& item : *items) {
        const auto key = r.text(item);
        if (key && is_z85_key(*key))
            out.push_back(*key);
        else if (key)
            r.error(item, "'" + *key + "' is not a CURVE public key (40 Z85 characters)");
    }
}

const field_table<curve_config> curve_fields{
    {"secret_key_file",
     [](yaml_reader& r, const entry& e, curve_config& c) {
         if (auto p = r.existing_file(e)) c.secret_key_file = std::move(*p);
     }},
    {"ingest_public_keys",
     [](yaml_reader& r, const entry& e, curve_config& c) {
         read_public_keys(r, e, c.ingest_public_keys);
     }},
    {"publish_public_keys",
     [](yaml_reader& r, const entry& e, curve_config& c) {
         read_public_keys(r, e, c.publish_public_keys);
     }},
};

void read_curve(yaml_reader& r, const entry& e, zmq_config& zmq) {
    if (e.value.IsNull()) return;
    curve_config curve;
    if (read_fields(r, e, curve_fields, curve, {"secret_key_file"})) zmq.curve = std::move(curve);
}

const field_table<zmq_config> zmq_fields{
    {"ingest",
     [](yaml_reader& r, const entry& e, zmq_config& z) { read_endpoint(r, e, z.ingest); }},
    {"publish",
     [](yaml_reader& r, const entry& e, zmq_config& z) { read_endpoint(r, e, z.publish); }},
    {"high_water_mark",
     [](yaml_reader& r, const entry& e, zmq_config& z) {
         if (const auto n = r.integer(e, 0, int_max)) z.high_water_mark = static_cast<int>(*n);
     }},
    {"max_connections",
     [](yaml_reader& r, const entry& e, zmq_config& z) { read_size(r, e, z.max_connections); }},
    {"curve", read_curve},
};

} // namespace

void parse_http(yaml_reader& r, const entry& e, config_context& ctx) {
    auto& http = ctx.cfg.http;
    if (!read_fields(r, e, http_fields, http)) return;
    // Judged on the keys, not on the values read, so a missing file is not
    // also reported as a missing partner.
    if (!e.value.IsMap()) return;
    const bool cert = e.value["tls_cert"].IsDefined();
    const bool key = e.value["tls_key"].IsDefined();
    if (cert != key)
        r.error(yaml_reader::field(e, cert ? "tls_cert" : "tls_key"),
                std::string("given without ") + (cert ? "tls_key" : "tls_cert") +
                    " (both or neither)");
}

void parse_zmq(yaml_reader& r, const entry& e, config_context& ctx) {
    read_fields(r, e, zmq_fields, ctx.cfg.zmq);
}

} // namespace opel::config
