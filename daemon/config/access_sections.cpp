// Who may call and who is called: `tokens:` (bearer-token digests and their
// roles) and `subscribers:` (webhooks). Checks within the config file live
// here: repeated digests, a practice named on the wrong role, a secret given
// twice. Whether a token's practice exists needs the practices file, so the
// loader checks that afterwards from the lines recorded in the context.
#include "config/config_sections.hpp"
#include "config/value_parsers.hpp"
#include "core/crypto.hpp"

#include <fstream>
#include <map>
#include <sstream>

namespace opel::config {

namespace {

/// One `tokens:` item while it is read, with what cross-key checks need.
struct token_draft {
    token value;
    bool role_known = false;
    int practice_line = 0; ///< 0: no `practice:` key
};

const field_table<token_draft> token_fields{
    {"name",
     [](yaml_reader& r, const entry& e, token_draft& t) {
         if (auto s = r.text(e)) t.value.name = std::move(*s);
     }},
    {"sha256",
     [](yaml_reader& r, const entry& e, token_draft& t) {
         const auto s = r.text(e);
         if (!s) return;
         if (const auto d = core::digest_from_hex(*s))
             t.value.sha256 = *d;
         else
             // Not quoted: a token pasted here by mistake would land in the log.
             r.error(e, "is not a SHA-256 digest (64 hex characters; this is " +
                            std::to_string(s->size()) +
                            "); give the digest of the token, never the token itself");
     }},
    {"role",
     [](yaml_reader& r, const entry& e, token_draft& t) {
         const auto s = r.text(e);
         if (!s) return;
         const auto role = parse_role(*s);
         if (role) {
             t.value.role = *role;
             t.role_known = true;
         } else {
             r.error(e, "'" + *s + "' is not a role (practice, team, control_room, admin)");
         }
     }},
    {"practice",
     [](yaml_reader& r, const entry& e, token_draft& t) {
         t.practice_line = e.line;
         const auto s = r.text(e);
         if (s && is_practice_code(*s))
             t.value.practice = *s;
         else if (s)
             r.error(e, "'" + *s + "' is not a practice code (a letter and five digits)");
     }},
};

/// The role/practice pairing: a practice token names its practice, no other does.
void check_token_role(yaml_reader& r, const entry& item, const token_draft& t) {
    if (!t.role_known) return;
    const auto practice = yaml_reader::field(item, "practice");
    if (t.value.role == core::role::practice && t.practice_line == 0)
        r.error(practice, "missing (required for role practice)");
    else if (t.value.role != core::role::practice && t.practice_line != 0)
        r.error(practice, "only a token of role practice names a practice");
}

} // namespace

void parse_tokens(yaml_reader& r, const entry& e, config_context& ctx) {
    const auto items = r.list(e);
    if (!items) return;
    std::map<core::sha256_digest, int> seen; // digest -> line of its first token
    for (const auto& item : *items) {
        const auto before = r.error_count();
        token_draft t;
        if (!read_fields(r, item, token_fields, t, {"name", "sha256", "role"})) continue;
        check_token_role(r, item, t);
        if (r.error_count() != before) continue;
        const auto [it, fresh] = seen.emplace(t.value.sha256, item.line);
        if (!fresh) {
            r.error(yaml_reader::field(item, "sha256"), "the same digest as the token at line " +
                                                            std::to_string(it->second) +
                                                            " (each token must be distinct)");
            continue;
        }
        ctx.cfg.tokens.push_back(std::move(t.value));
        ctx.token_lines.push_back(t.practice_line != 0 ? t.practice_line : item.line);
    }
}

namespace {

/// One `subscribers:` item while it is read.
struct subscriber_draft {
    subscriber value;
    bool has_secret = false;
    bool has_min_level = false;
    std::vector<std::pair<int, std::string>> place_lines; ///< each place and its line
};

/// The whole secret file, less a trailing newline an editor may have added.
void read_secret_file(yaml_reader& r, const entry& e, subscriber_draft& s) {
    const auto file = r.existing_file(e);
    if (!file) return;
    std::ifstream in(*file);
    std::ostringstream text;
    text << in.rdbuf();
    auto secret = text.str();
    while (!secret.empty() && (secret.back() == '\n' || secret.back() == '\r'))
        secret.pop_back();
    if (secret.empty()) r.error(e, "'" + file->string() + "' is empty");
    s.value.secret_file = *file;
    s.value.secret = std::move(secret);
}

void read_kind(yaml_reader& r, const entry& e, subscriber_draft& s) {
    static const std::map<std::string, channel_kind> kinds{
        {"webhook", channel_kind::webhook}, {"email", channel_kind::email},
        {"teams", channel_kind::teams},     {"slack", channel_kind::slack},
        {"notify", channel_kind::notify}};
    const auto v = r.text(e);
    if (!v) return;
    if (const auto it = kinds.find(*v); it != kinds.end())
        s.value.kind = it->second;
    else
        r.error(e, "'" + *v + "' is not a kind (webhook, email, teams, slack, notify)");
}

const field_table<group_timing> group_fields{
    {"wait",
     [](yaml_reader& r, const entry& e, group_timing& g) {
         const auto v = r.text(e);
         if (const auto d = v ? parse_duration(*v) : std::nullopt)
             g.wait = *d;
         else if (v)
             r.error(e, "'" + *v + "' is not a duration (30s, 5m, 1h; at most a day)");
     }},
    {"interval",
     [](yaml_reader& r, const entry& e, group_timing& g) {
         const auto v = r.text(e);
         if (const auto d = v ? parse_duration(*v) : std::nullopt)
             g.interval = *d;
         else if (v)
             r.error(e, "'" + *v + "' is not a duration (30s, 5m, 1h; at most a day)");
     }},
};

void read_group(yaml_reader& r, const entry& e, subscriber_draft& s) {
    read_fields(r, e, group_fields, s.value.group);
}

void read_quiet_time(yaml_reader& r, const entry& e, std::chrono::minutes& out) {
    const auto v = r.text(e);
    if (const auto t = v ? parse_time_of_day(*v) : std::nullopt)
        out = *t;
    else if (v)
        r.error(e, "'" + *v + "' is not a time of day (HH:MM, 00:00 to 23:59)");
}

const field_table<quiet_hours> quiet_fields{
    {"from", [](yaml_reader& r, const entry& e, quiet_hours& q) { read_quiet_time(r, e, q.from); }},
    {"to", [](yaml_reader& r, const entry& e, quiet_hours& q) { read_quiet_time(r, e, q.to); }},
    {"except_level",
     [](yaml_reader& r, const entry& e, quiet_hours& q) {
         if (const auto n = r.integer(e, 1, 5)) q.except_level = static_cast<int>(*n);
     }},
};

void read_quiet(yaml_reader& r, const entry& e, subscriber_draft& s) {
    quiet_hours q;
    if (read_fields(r, e, quiet_fields, q, {"from", "to"}))
        s.value.quiet = q;
}

/// The most events one batched POST takes, and the longest a batch may wait.
constexpr std::int64_t batch_max_limit = 500;
constexpr std::chrono::seconds batch_wait_limit{60};

const field_table<batch_timing> batch_fields{
    {"max",
     [](yaml_reader& r, const entry& e, batch_timing& b) {
         if (const auto n = r.integer(e, 1, batch_max_limit)) b.max = static_cast<std::size_t>(*n);
     }},
    {"wait",
     [](yaml_reader& r, const entry& e, batch_timing& b) {
         const auto v = r.text(e);
         if (const auto d = v ? parse_duration(*v) : std::nullopt; d && *d <= batch_wait_limit)
             b.wait = *d;
         else if (v)
             r.error(e, "'" + *v + "' is not a duration of at most a minute (0s, 5s, 1m)");
     }},
};

void read_batch(yaml_reader& r, const entry& e, subscriber_draft& s) {
    batch_timing b;
    if (read_fields(r, e, batch_fields, b))
        s.value.batch = b;
}

/// The Notify API key, which must be of Notify's form.
void read_api_key_file(yaml_reader& r, const entry& e, subscriber_draft& s) {
    const auto file = r.existing_file(e);
    if (!file) return;
    std::ifstream in(*file);
    std::string key;
    std::getline(in, key);
    while (!key.empty() && (key.back() == '\r' || key.back() == ' '))
        key.pop_back();
    // Not quoted: the key is a secret.
    if (!parse_notify_key(key))
        r.error(e, "'" + file->string() +
                       "' does not hold a GOV.UK Notify API key ({key name}-{service id}-{secret})");
    s.value.api_key_file = *file;
    s.value.api_key = std::move(key);
}

/// The keys each kind needs and the keys only some kinds take.
void check_kind(yaml_reader& r, const entry& item, subscriber_draft& s) {
    const auto kind = s.value.kind;
    const auto need = [&](const char* key) {
        if (!item.value[key].IsDefined())
            r.error(yaml_reader::field(item, key),
                    kind == channel_kind::webhook
                        ? std::string("missing (required)")
                        : std::string("missing (required for kind ") + kind_name(kind) + ")");
    };
    const auto refuse = [&](const char* key, const char* kinds) {
        if (item.value[key].IsDefined())
            r.error(yaml_reader::field(item, key), std::string("is for kind ") + kinds +
                                                       ", not " + kind_name(kind));
    };
    const bool http = kind == channel_kind::webhook || kind == channel_kind::teams ||
                      kind == channel_kind::slack;
    if (http) need("url");
    else refuse("url", "webhook, teams or slack");
    if (kind == channel_kind::email) need("to");
    else refuse("to", "email");
    if (kind == channel_kind::notify) {
        need("api_key_file");
        need("template_id");
        need("phone_numbers");
        if (!s.has_min_level) s.value.min_level = 4; // a text wakes someone: level 4 only
    } else {
        for (const auto* key : {"api_key_file", "template_id", "phone_numbers", "base_url"})
            refuse(key, "notify");
    }
    if (kind != channel_kind::webhook) {
        for (const auto* key : {"secret", "secret_file", "topic_prefix", "batch"})
            refuse(key, "webhook");
    } else {
        for (const auto* key : {"group", "quiet"})
            refuse(key, "email, teams, slack or notify");
    }
}

const field_table<subscriber_draft> subscriber_fields{
    {"name",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (auto v = r.text(e)) s.value.name = std::move(*v);
     }},
    {"url",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         const auto v = r.text(e);
         if (v && is_webhook_url(*v))
             s.value.url = *v;
         else if (v)
             r.error(e, "'" + url_origin(*v) + "' is not an http:// or https:// URL");
     }},
    {"audiences",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (auto v = r.text_list(e)) s.value.audiences = std::move(*v);
     }},
    {"secret",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         s.has_secret = true;
         if (auto v = r.text(e)) s.value.secret = std::move(*v);
     }},
    {"secret_file", read_secret_file},
    {"min_level",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         s.has_min_level = true;
         if (const auto n = r.integer(e, 1, 4)) s.value.min_level = static_cast<int>(*n);
     }},
    {"kind", read_kind},
    {"places",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         const auto items = r.list(e);
         if (!items) return;
         for (const auto& item : *items)
             if (auto v = r.text(item)) {
                 s.value.places.push_back(*v);
                 s.place_lines.emplace_back(item.line, std::move(*v));
             }
     }},
    {"group", read_group},
    {"quiet", read_quiet},
    {"batch", read_batch},
    {"to",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         auto v = r.text_list(e);
         if (!v) return;
         for (const auto& a : *v)
             if (a.find('@') == std::string::npos || a.find_first_of(" <>\r\n,") != std::string::npos)
                 r.error(e, "'" + a + "' is not an email address");
         s.value.to = std::move(*v);
     }},
    {"api_key_file", read_api_key_file},
    {"template_id",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (auto v = r.text(e)) s.value.template_id = std::move(*v);
     }},
    {"phone_numbers",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (auto v = r.text_list(e)) s.value.phone_numbers = std::move(*v);
     }},
    {"base_url",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         const auto v = r.text(e);
         if (v && is_webhook_url(*v))
             s.value.base_url = *v;
         else if (v)
             r.error(e, "'" + url_origin(*v) + "' is not an http:// or https:// URL");
     }},
    {"ca_file",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (const auto file = r.existing_file(e)) s.value.ca_file = *file;
     }},
    {"topic_prefix",
     [](yaml_reader& r, const entry& e, subscriber_draft& s) {
         if (auto v = r.scalar<std::string>(e)) s.value.topic_prefix = std::move(*v);
     }},
};

} // namespace

void parse_subscribers(yaml_reader& r, const entry& e, config_context& ctx) {
    const auto items = r.list(e);
    if (!items) return;
    std::map<std::string, int> names; // name -> line of its first subscriber
    for (const auto& item : *items) {
        const auto before = r.error_count();
        subscriber_draft s;
        if (!read_fields(r, item, subscriber_fields, s, {"name"})) continue;
        check_kind(r, item, s);
        if (s.value.kind == channel_kind::email && !ctx.email_line) ctx.email_line = item.line;
        if (s.has_secret && item.value["secret_file"].IsDefined())
            r.error(yaml_reader::field(item, "secret_file"),
                    "give secret or secret_file, not both");
        if (r.error_count() != before) continue;
        // A name is how logs and pending deliveries tell subscribers apart.
        const auto [it, fresh] = names.emplace(s.value.name, item.line);
        if (!fresh)
            r.error(yaml_reader::field(item, "name"),
                    "'" + s.value.name + "' is already the name of the subscriber at line " +
                        std::to_string(it->second));
        else {
            ctx.place_lines.insert(ctx.place_lines.end(), s.place_lines.begin(),
                                   s.place_lines.end());
            ctx.cfg.subscribers.push_back(std::move(s.value));
        }
    }
}

} // namespace opel::config
