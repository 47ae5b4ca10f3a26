// How people are reached: the `smtp:` section that email subscribers send
// through, and `public_url`, the dashboard's address that messages link to.
// The password is read from its file here, so a missing or empty file is a
// config error at start and reload, not a failed mail at 3 a.m.
#include "config/config_sections.hpp"
#include "config/value_parsers.hpp"

#include <fstream>
#include <map>

namespace opel::config {

namespace {

const field_table<smtp_config> smtp_fields{
    {"host",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         if (auto v = r.text(e)) s.host = std::move(*v);
     }},
    {"port",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         if (const auto n = r.integer(e, 1, 65535)) s.port = static_cast<std::uint16_t>(*n);
     }},
    {"from",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         const auto v = r.text(e);
         if (v && v->find('@') != std::string::npos &&
             v->find_first_of(" <>\r\n,") == std::string::npos)
             s.from = *v;
         else if (v)
             r.error(e, "'" + *v + "' is not an email address");
     }},
    {"starttls",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         static const std::map<std::string, starttls_mode> modes{
             {"required", starttls_mode::required},
             {"optional", starttls_mode::optional},
             {"off", starttls_mode::off}};
         const auto v = r.text(e);
         if (!v) return;
         if (const auto it = modes.find(*v); it != modes.end())
             s.starttls = it->second;
         else
             r.error(e, "'" + *v + "' is not one of required, optional, off");
     }},
    {"username",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         if (auto v = r.text(e)) s.username = std::move(*v);
     }},
    {"password_file",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         const auto file = r.existing_file(e);
         if (!file) return;
         std::ifstream in(*file);
         std::string password;
         std::getline(in, password);
         while (!password.empty() && password.back() == '\r')
             password.pop_back();
         if (password.empty()) r.error(e, "'" + file->string() + "' is empty");
         s.password_file = *file;
         s.password = std::move(password);
     }},
    {"ca_file",
     [](yaml_reader& r, const entry& e, smtp_config& s) {
         if (const auto file = r.existing_file(e)) s.ca_file = *file;
     }},
};

} // namespace

void parse_smtp(yaml_reader& r, const entry& e, config_context& ctx) {
    smtp_config s;
    if (!read_fields(r, e, smtp_fields, s, {"host", "from"})) return;
    // AUTH needs both halves; one without the other is a mistake.
    if (!s.username.empty() && !s.password_file)
        r.error(yaml_reader::field(e, "password_file"), "missing (required with username)");
    if (s.username.empty() && s.password_file)
        r.error(yaml_reader::field(e, "username"), "missing (required with password_file)");
    ctx.cfg.smtp = std::move(s);
}

void read_public_url(yaml_reader& r, const entry& e, config_context& ctx) {
    const auto v = r.text(e);
    if (v && is_webhook_url(*v))
        ctx.cfg.public_url = *v;
    else if (v)
        r.error(e, "'" + url_origin(*v) + "' is not an http:// or https:// URL");
}

const char* kind_name(channel_kind k) {
    switch (k) {
    case channel_kind::webhook: return "webhook";
    case channel_kind::email: return "email";
    case channel_kind::teams: return "teams";
    case channel_kind::slack: return "slack";
    case channel_kind::notify: return "notify";
    }
    return "?";
}

} // namespace opel::config
