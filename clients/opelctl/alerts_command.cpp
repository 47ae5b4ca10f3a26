// `opelctl alerts` lists alerts (open by default) and `opelctl ack ID`
// acknowledges one, the control room's two everyday actions. Acknowledging
// is what stops the unacknowledged-level-4 escalation, so the answer (the
// alert, now acknowledged) is printed back as proof.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct alerts_args {
    bool all = false;
    long long since_seq = -1;
    bool json = false;
};

struct ack_args {
    std::string id;
    std::string note;
    bool json = false;
};

table_row alert_row(const boost::json::value& a) {
    const auto state = cell(field(a, "state"));
    return {{cell(field(a, "id")), level_label(field(a, "level")), state, cell(field(a, "rule")),
             cell(field(a, "scope")) + " " + cell(field(a, "subject")), cell(field(a, "title")),
             short_time(field(a, "updated_at"))},
            state == "firing" ? level_number(field(a, "level")) : 0};
}

int run_alerts(const alerts_args& a, const global_options& g) {
    std::vector<std::pair<std::string, std::string>> query{{"state", a.all ? "all" : "open"}};
    if (a.since_seq >= 0)
        query.emplace_back("since_seq", std::to_string(a.since_seq));
    const auto answer = http_call(resolve_connection(g)).get(with_query("/v1/alerts", query));
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    std::vector<table_row> rows;
    const auto& list = field(v, "alerts");
    if (list.is_array())
        for (const auto& alert : list.get_array())
            rows.push_back(alert_row(alert));
    if (rows.empty()) {
        std::cout << (a.all ? "no alerts\n" : "no open alerts\n");
        return exit_ok;
    }
    print_table(std::cout, {"ID", "LEVEL", "STATE", "RULE", "ABOUT", "TITLE", "UPDATED"}, rows,
                colour_wanted());
    return exit_ok;
}

int run_ack(const ack_args& a, const global_options& g) {
    boost::json::object body;
    if (!a.note.empty())
        body["note"] = a.note;
    const auto answer = http_call(resolve_connection(g))
                            .post_json("/v1/alerts/" + path_segment(a.id) + "/ack", body);
    const auto v = json_or_throw(answer);
    if (a.json)
        std::cout << answer.body << "\n";
    else
        std::cout << "alert " << cell(field(v, "id")) << " " << cell(field(v, "state")) << ": "
                  << cell(field(v, "title")) << "\n";
    return exit_ok;
}

} // namespace

void add_alerts_commands(CLI::App& app, const global_options& g, int& exit_code) {
    auto list = std::make_shared<alerts_args>();
    auto* cmd = app.add_subcommand("alerts", "List alerts: open ones, or --all");
    cmd->add_flag("--all", list->all, "every alert, resolved and acknowledged ones too");
    cmd->add_option("--since-seq", list->since_seq, "only alerts changed after this event seq")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--json", list->json, "print the server's answer as JSON");
    cmd->callback([list, &g, &exit_code] {
        exit_code = guarded([&] { return run_alerts(*list, g); });
    });

    auto ack = std::make_shared<ack_args>();
    auto* ack_cmd = app.add_subcommand("ack", "Acknowledge an alert");
    ack_cmd->add_option("id", ack->id, "the alert's id")->required();
    ack_cmd->add_option("--note", ack->note, "what is being done about it");
    ack_cmd->add_flag("--json", ack->json, "print the alert as JSON");
    ack_cmd->callback([ack, &g, &exit_code] {
        exit_code = guarded([&] { return run_ack(*ack, g); });
    });
}

} // namespace opel::ctl
