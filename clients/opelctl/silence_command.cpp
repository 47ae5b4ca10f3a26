// `opelctl silence add|list|expire`: silences stop an alert from notifying
// for a while (planned IT downtime, a known staffing gap). The body follows
// the contract's provisional shape {rule?, scope?, subject?, starts_at?,
// ends_at, comment}; times are checked here so a typo fails before it
// reaches the server, and --for turns a duration into ends_at.
#include "commands.hpp"

#include "core/time.hpp"
#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "suggest.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <iostream>
#include <memory>

namespace opel::ctl {

namespace bhttp = boost::beast::http;

namespace {

struct silence_args {
    std::string rule;
    std::string scope;
    std::string subject;
    std::string starts;
    std::string ends;
    std::string duration;
    std::string comment;
    std::string id;
    bool json = false;
};

/// "90m", "2h", "1d" as a duration; usage_error otherwise.
std::chrono::minutes parse_duration(const std::string& text) {
    long long n = 0;
    const auto* end = text.data() + text.size();
    const auto [p, ec] = std::from_chars(text.data(), end, n);
    const long long unit = p + 1 != end ? 0 : *p == 'm' ? 1 : *p == 'h' ? 60 : *p == 'd' ? 1440 : 0;
    if (ec != std::errc() || n <= 0 || unit == 0)
        throw usage_error("--for must be a number with m, h or d, e.g. 90m, 2h, 1d");
    return std::chrono::minutes(n * unit);
}

std::string checked_time(const std::string& text, const char* option) {
    if (!core::parse_time(text))
        throw usage_error(std::string(option) +
                          " must be an RFC 3339 time, e.g. 2026-11-28T09:00:00Z");
    return text;
}

boost::json::object silence_body(const silence_args& a) {
    boost::json::object body;
    for (const auto& [key, value] : {std::pair{"rule", &a.rule}, std::pair{"scope", &a.scope},
                                     std::pair{"subject", &a.subject}})
        if (!value->empty())
            body[key] = *value;
    if (!a.starts.empty())
        body["starts_at"] = checked_time(a.starts, "--starts");
    if (!a.ends.empty()) {
        body["ends_at"] = checked_time(a.ends, "--ends");
    } else {
        const auto now = std::chrono::time_point_cast<std::chrono::microseconds>(
            std::chrono::system_clock::now());
        body["ends_at"] = core::format_time(now + parse_duration(a.duration));
    }
    body["comment"] = a.comment;
    return body;
}

/// The subjects a silence of `scope` may name (every kind when no scope):
/// practice codes, PCN names, place ids, and for the system theme ids.
std::vector<known_name> subjects(const std::string& scope, const boost::json::value& status) {
    std::vector<known_name> out;
    const auto add = [&](const std::vector<known_name>& more) {
        out.insert(out.end(), more.begin(), more.end());
    };
    if (scope.empty() || scope == "practice") add(known_in_status(status, "practice"));
    if (scope.empty() || scope == "pcn") add(known_in_status(status, "pcn"));
    if (scope.empty() || scope == "place") add(known_in_status(status, "place"));
    if (scope.empty() || scope == "system") {
        out.push_back({"system", {}});
        for (const auto& id : words().theme_ids())
            out.push_back({id, words().theme(id)});
    }
    return out;
}

/// A silence that names no rule or subject the daemon has would match
/// nothing and silence nothing, silently: refuse it here, with suggestions.
void check_names(http_call& call, const silence_args& a) {
    load_words(call);
    if (!a.rule.empty() && !words().rules().empty()) {
        std::vector<known_name> rules;
        for (const auto& r : words().rules())
            rules.push_back({r, {}});
        require_known("rule", a.rule, rules);
    }
    if (a.subject.empty())
        return;
    const auto status = call.get("/v1/status");
    if (status.status != 200)
        return; // the daemon's own answer to the silence will say what is wrong
    const std::string what = a.scope.empty()     ? "subject"
                             : a.scope == "pcn"    ? "PCN"
                             : a.scope == "system" ? "system subject (a theme id or system)"
                                                   : a.scope;
    require_known(what, a.subject,
                  subjects(a.scope, boost::json::parse(status.body)));
}

int run_add(const silence_args& a, const global_options& g) {
    http_call call(resolve_connection(g));
    const auto body = silence_body(a);
    check_names(call, a);
    const auto answer = call.post_json("/v1/silences", body);
    const auto v = json_or_throw(answer);
    if (a.json)
        std::cout << answer.body << "\n";
    else
        std::cout << "silence " << cell(field(v, "id")) << " until "
                  << short_time(field(v, "ends_at")) << "\n";
    return exit_ok;
}

int run_list(const silence_args& a, const global_options& g) {
    http_call call(resolve_connection(g));
    const auto answer = call.get("/v1/silences");
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    const auto& list = v.is_array() ? v : field(v, "silences");
    std::vector<table_row> rows;
    if (list.is_array())
        for (const auto& s : list.get_array())
            rows.push_back({{cell(field(s, "id")), cell(field(s, "rule")),
                             cell(field(s, "scope")) + " " + cell(field(s, "subject")),
                             short_time(field(s, "starts_at")), short_time(field(s, "ends_at")),
                             cell(field(s, "comment"))}});
    if (rows.empty())
        std::cout << "no silences\n";
    else
        print_table(std::cout, {"ID", "RULE", "ABOUT", "STARTS", "ENDS", "COMMENT"}, rows, false);
    return exit_ok;
}

int run_expire(const silence_args& a, const global_options& g) {
    const auto answer = http_call(resolve_connection(g))
                            .request(bhttp::verb::delete_, "/v1/silences/" + path_segment(a.id));
    if (answer.status < 200 || answer.status > 299)
        json_or_throw(answer);
    std::cout << "silence " << a.id << " expired\n";
    return exit_ok;
}

void add_silence_add(CLI::App& parent, const global_options& g, int& exit_code) {
    auto a = std::make_shared<silence_args>();
    auto* cmd = parent.add_subcommand("add", "Silence alerts for a while");
    cmd->add_option("--rule", a->rule, "only this rule's alerts (default: every rule)");
    cmd->add_option("--scope", a->scope, "practice, pcn, place or system")
        ->check(CLI::IsMember({"practice", "pcn", "place", "system"}));
    cmd->add_option("--subject", a->subject, "a practice code, PCN name, place id or theme id");
    cmd->add_option("--starts", a->starts, "when it starts, RFC 3339 (default: now)");
    auto* ends = cmd->add_option("--ends", a->ends, "when it ends, RFC 3339");
    auto* dur = cmd->add_option("--for", a->duration, "how long: 90m, 2h, 1d")->excludes(ends);
    cmd->add_option("--comment", a->comment, "why: shown beside the silence")->required();
    cmd->add_flag("--json", a->json, "print the server's answer as JSON");
    cmd->callback([a, ends, dur, &g, &exit_code] {
        exit_code = guarded([&] {
            if (ends->count() == 0 && dur->count() == 0)
                throw usage_error("say when the silence ends: --ends TIME or --for DURATION");
            return run_add(*a, g);
        });
    });
}

} // namespace

void add_silence_commands(CLI::App& app, const global_options& g, int& exit_code) {
    auto* cmd = app.add_subcommand("silence", "Add, list and expire alert silences");
    cmd->require_subcommand(1);
    add_silence_add(*cmd, g, exit_code);

    auto list = std::make_shared<silence_args>();
    auto* list_cmd = cmd->add_subcommand("list", "List the silences in force");
    list_cmd->add_flag("--json", list->json, "print the server's answer as JSON");
    list_cmd->callback([list, &g, &exit_code] {
        exit_code = guarded([&] { return run_list(*list, g); });
    });

    auto expire = std::make_shared<silence_args>();
    auto* expire_cmd = cmd->add_subcommand("expire", "End a silence now");
    expire_cmd->add_option("id", expire->id, "the silence's id")->required();
    expire_cmd->callback([expire, &g, &exit_code] {
        exit_code = guarded([&] { return run_expire(*expire, g); });
    });
}

} // namespace opel::ctl
