// The config loader: reads the config file section by section (each section
// parser in its own file, dispatched from one table), resolves the paths it
// names against its directory, loads the practices and rules files, and then
// runs the checks that span files (a practice token's practice must exist).
// Nothing stops at the first error: one run of `opeld --check-config` lists
// them all.
#include "config/config_loader.hpp"
#include "config/config_sections.hpp"
#include "config/practices_loader.hpp"
#include "config/value_parsers.hpp"
#include "config/yaml_reader.hpp"
#include "core/crypto.hpp"
#include "rules/rules_loader.hpp"

#include <set>
#include <utility>

#include <date/tz.h>

namespace opel::config {

namespace {

void read_timezone(yaml_reader& r, const entry& e, config_context& ctx) {
    const auto name = r.text(e);
    if (!name) return;
    try {
        date::locate_zone(*name);
        ctx.cfg.timezone = *name;
    } catch (const std::exception&) {
        r.error(e, "'" + *name + "' is not an IANA time zone (as Europe/London)");
    }
}

void read_database(yaml_reader& r, const entry& e, config_context& ctx) {
    // Not required to exist: the daemon creates it on first start.
    if (auto p = r.path(e)) ctx.cfg.database = std::move(*p);
}

void read_practices_file(yaml_reader& r, const entry& e, config_context& ctx) {
    if (auto p = r.existing_file(e)) ctx.cfg.practices_file = std::move(*p);
}

void read_rules_file(yaml_reader& r, const entry& e, config_context& ctx) {
    if (auto p = r.existing_file(e)) ctx.cfg.rules_file = std::move(*p);
}

/// The top level: every key the contract knows, each to its section parser.
const field_table<config_context> top_level{
    {"timezone", read_timezone},
    {"database", read_database},
    {"practices", read_practices_file},
    {"rules", read_rules_file},
    {"http", parse_http},
    {"zmq", parse_zmq},
    {"calendar", parse_calendar},
    {"summary", parse_summary},
    {"limits", parse_limits},
    {"tokens", parse_tokens},
    {"subscribers", parse_subscribers},
    {"smtp", parse_smtp},
    {"public_url", read_public_url},
};

/// Parses the YAML text of `file`, or reports why it cannot.
std::optional<YAML::Node> parse_file(const std::filesystem::path& file,
                                     std::vector<core::diagnostic>& errors) {
    try {
        return YAML::LoadFile(file.string());
    } catch (const YAML::BadFile&) {
        errors.push_back({file.string(), 0, "cannot read the config file"});
    } catch (const YAML::ParserException& e) {
        errors.push_back({file.string(), e.mark.line + 1, e.msg});
    }
    return std::nullopt;
}

/// Each practice token's practice must be one of the practices file.
void check_token_practices(yaml_reader& r, const config_context& ctx) {
    std::set<std::string, std::less<>> codes;
    for (const auto& p : ctx.cfg.practices)
        codes.insert(p.code);
    for (std::size_t i = 0; i < ctx.cfg.tokens.size(); ++i) {
        const auto& t = ctx.cfg.tokens[i];
        if (t.role == core::role::practice && codes.find(t.practice) == codes.end())
            r.error(ctx.token_lines[i], "tokens.practice: no practice '" + t.practice + "' in " +
                                            ctx.cfg.practices_file.string());
    }
}

/// Each place a subscriber names must be a place of the practices file: a
/// typo would otherwise filter out every alert, silently.
void check_subscriber_places(yaml_reader& r, const config_context& ctx) {
    std::set<std::string, std::less<>> places;
    for (const auto& p : ctx.cfg.practices)
        places.insert(p.place);
    std::string known;
    for (const auto& p : places)
        known += (known.empty() ? "" : ", ") + p;
    for (const auto& [line, place] : ctx.place_lines)
        if (places.find(place) == places.end())
            r.error(line, "subscribers.places: no place '" + place + "' in " +
                              ctx.cfg.practices_file.string() + " (places: " + known + ")");
}

/// Loads the practices and rules files the config names, then the checks
/// that need them.
void load_named_files(yaml_reader& r, config_context& ctx, std::vector<core::diagnostic>& errors) {
    auto& cfg = ctx.cfg;
    if (!cfg.practices_file.empty()) {
        if (auto practices = load_practices(cfg.practices_file, errors)) {
            cfg.practices = std::move(*practices);
            check_token_practices(r, ctx);
            check_subscriber_places(r, ctx);
        }
    }
    if (!cfg.rules_file.empty()) cfg.rules = rules::load_rule_set(cfg.rules_file, errors);
}

} // namespace

config_error::config_error(std::vector<core::diagnostic> diagnostics)
    : std::runtime_error([&] {
          std::string text;
          for (const auto& d : diagnostics)
              text += (text.empty() ? "" : "\n") + d.to_string();
          return text;
      }()),
      diagnostics_(std::move(diagnostics)) {}

std::optional<config> load_config(const std::filesystem::path& file,
                                  std::vector<core::diagnostic>& errors) {
    const auto before = errors.size();
    const auto root = parse_file(file, errors);
    if (!root) return std::nullopt;
    config cfg;
    cfg.file = file;
    config_context ctx{cfg, 0, {}, {}};
    yaml_reader r(file, errors);
    read_fields(r, {*root, 1, ""}, top_level, ctx, {"practices", "rules"});
    if (ctx.email_line && !cfg.smtp)
        r.error(ctx.email_line, "subscribers: kind email needs the smtp section");
    if (cfg.database.empty()) cfg.database = (file.parent_path() / "opeld.db").lexically_normal();
    load_named_files(r, ctx, errors);
    if (errors.size() != before) return std::nullopt;
    return cfg;
}

config load_config_or_throw(const std::filesystem::path& file) {
    std::vector<core::diagnostic> errors;
    auto cfg = load_config(file, errors);
    if (!cfg) throw config_error(std::move(errors));
    return std::move(*cfg);
}

std::string sha256_hex(std::string_view token) {
    return core::to_hex(core::sha256(token));
}

} // namespace opel::config
