// `opelctl audit`: who did what and when (GET /v1/audit, admin only), for
// the operator asked "who acknowledged that alert, who ran the import". One
// page of up to --limit entries, oldest first; the command to read the next
// page is printed beneath it, as /v1/events pages.
#include "commands.hpp"

#include "core/time.hpp"
#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct audit_args {
    std::string since;
    long long since_id = -1;
    long long limit = 100;
    bool json = false;
};

/// The detail worth a glance: the error's code, else the detail as JSON.
std::string detail_text(const boost::json::value& d) {
    if (const auto& e = field(d, "error"); !e.is_null())
        return cell(e);
    if (!d.is_object() || d.get_object().empty())
        return "";
    return boost::json::serialize(d);
}

int run_audit(const audit_args& a, const global_options& g) {
    if (!a.since.empty() && !core::parse_time(a.since))
        throw usage_error("--since must be an RFC 3339 time, e.g. 2026-11-25T09:00:00Z");
    std::vector<std::pair<std::string, std::string>> query{{"limit", std::to_string(a.limit)}};
    if (!a.since.empty())
        query.emplace_back("since", a.since);
    if (a.since_id >= 0)
        query.emplace_back("since_id", std::to_string(a.since_id));
    http_call call(resolve_connection(g));
    const auto answer = call.get(with_query("/v1/audit", query));
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    std::vector<table_row> rows;
    if (const auto& list = field(v, "entries"); list.is_array())
        for (const auto& e : list.get_array())
            rows.push_back({{cell(field(e, "id")), short_time(field(e, "at")),
                             cell(field(e, "actor")) + " (" + cell(field(e, "role")) + ")",
                             cell(field(e, "action")), cell(field(e, "target")),
                             cell(field(e, "status")), detail_text(field(e, "detail"))}});
    if (rows.empty())
        std::cout << "no audit entries\n";
    else
        print_table(std::cout, {"ID", "AT", "WHO", "ACTION", "TARGET", "STATUS", "DETAIL"}, rows,
                    false);
    if (const auto& next = field(v, "next"); next.is_int64())
        std::cout << "more: opelctl audit --since-id " << next.get_int64() << "\n";
    return exit_ok;
}

} // namespace

void add_audit_command(CLI::App& app, const global_options& g, int& exit_code) {
    auto a = std::make_shared<audit_args>();
    auto* cmd = app.add_subcommand("audit", "Show the audit log (admin): who did what, and when");
    cmd->add_option("--since", a->since, "only entries at or after this RFC 3339 time");
    cmd->add_option("--since-id", a->since_id, "only entries after this entry id (the next page)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_option("--limit", a->limit, "entries per page (1 to 1000, default 100)")
        ->check(CLI::Range(1, 1000));
    cmd->add_flag("--json", a->json, "print the server's answer as JSON");
    cmd->callback([a, &g, &exit_code] {
        exit_code = guarded([&] { return run_audit(*a, g); });
    });
}

} // namespace opel::ctl
