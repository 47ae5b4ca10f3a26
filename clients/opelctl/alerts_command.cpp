// `opelctl alerts` lists alerts (open by default) and `opelctl ack ID`
// acknowledges one, the control room's two everyday actions. An alert another
// speaks for (its `inhibited_by`) is folded under that alert, marked, as the
// dashboard folds it; `--no-inhibited` leaves such alerts out and counts them. Acknowledging
// is what stops the unacknowledged-level-4 escalation, so the answer (the
// alert, now acknowledged) is printed back as proof.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <map>
#include <memory>
#include <set>

namespace opel::ctl {

namespace {

struct alerts_args {
    bool all = false;
    bool no_inhibited = false;
    long long since_seq = -1;
    bool json = false;
};

struct ack_args {
    std::vector<std::string> ids;
    std::string note;
    bool json = false;
};

/// The id of the alert that speaks for `a`, or "" when none does.
std::string speaker_of(const boost::json::value& a) {
    const auto& by = field(a, "inhibited_by");
    return by.is_null() ? std::string() : cell(by);
}

table_row alert_row(const boost::json::value& a, bool folded) {
    auto state = cell(field(a, "state"));
    const auto speaker = speaker_of(a);
    if (!speaker.empty())
        state += " (covered by " + speaker + ")";
    return {{(folded ? "  \u2514 " : "") + cell(field(a, "id")), level_label(field(a, "level")), state,
             cell(field(a, "rule")), cell(field(a, "scope")) + " " + cell(field(a, "subject")),
             cell(field(a, "title")), short_time(field(a, "updated_at"))},
            state == "firing" ? level_number(field(a, "level")) : 0};
}

/// The rows in the server's order, each inhibited alert folded under the
/// alert that speaks for it when that one is listed too; `hidden` counts
/// the inhibited ones left out with --no-inhibited.
std::vector<table_row> fold(const boost::json::array& list, bool no_inhibited, int& hidden) {
    std::map<std::string, std::vector<const boost::json::value*>> under;
    std::set<std::string> listed;
    for (const auto& a : list)
        listed.insert(cell(field(a, "id")));
    for (const auto& a : list)
        if (const auto s = speaker_of(a); !s.empty() && listed.count(s))
            under[s].push_back(&a);
    std::vector<table_row> rows;
    for (const auto& a : list) {
        const auto speaker = speaker_of(a);
        if (!speaker.empty() && (no_inhibited || listed.count(speaker))) {
            hidden += no_inhibited ? 1 : 0;
            continue;
        }
        rows.push_back(alert_row(a, false));
        if (no_inhibited)
            continue;
        for (const auto* f : under[cell(field(a, "id"))])
            rows.push_back(alert_row(*f, true));
    }
    return rows;
}

int run_alerts(const alerts_args& a, const global_options& g) {
    std::vector<std::pair<std::string, std::string>> query{{"state", a.all ? "all" : "open"}};
    if (a.since_seq >= 0)
        query.emplace_back("since_seq", std::to_string(a.since_seq));
    http_call call(resolve_connection(g));
    const auto answer = call.get(with_query("/v1/alerts", query));
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    int hidden = 0;
    std::vector<table_row> rows;
    if (const auto& list = field(v, "alerts"); list.is_array())
        rows = fold(list.get_array(), a.no_inhibited, hidden);
    if (rows.empty())
        std::cout << (a.all ? "no alerts\n" : "no open alerts\n");
    else
        print_table(std::cout, {"ID", "LEVEL", "STATE", "RULE", "ABOUT", "TITLE", "UPDATED"}, rows,
                    colour_wanted());
    if (hidden > 0)
        std::cout << hidden << " more covered by the alerts above (inhibited; without "
                  << "--no-inhibited they are listed under them)\n";
    return exit_ok;
}

/// The open alerts by id, to tell "already acknowledged" and "not open"
/// apart before acknowledging anything.
std::map<std::string, boost::json::value> open_alerts(http_call& http) {
    const auto v = json_or_throw(http.get("/v1/alerts?state=open"));
    std::map<std::string, boost::json::value> out;
    if (const auto& list = field(v, "alerts"); list.is_array())
        for (const auto& a : list.get_array())
            out[cell(field(a, "id"))] = a;
    return out;
}

int run_ack(const ack_args& a, const global_options& g) {
    for (const auto& id : a.ids)
        if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos)
            throw usage_error("'" + id + "' is not an alert id (a whole number, as `opelctl alerts` "
                              "lists them); nothing was acknowledged");
    http_call http(resolve_connection(g));
    const auto open = open_alerts(http);
    if (!a.json)
        load_words(http);
    boost::json::object body;
    if (!a.note.empty())
        body["note"] = a.note;
    int failed = 0;
    boost::json::array answers;
    for (const auto& id : a.ids) {
        const auto it = open.find(id);
        if (it == open.end()) {
            std::cerr << "opelctl: alert " << id << " is not open (resolved, or no such alert)\n";
            ++failed;
            continue;
        }
        if (cell(field(it->second, "state")) == "acknowledged") {
            answers.push_back(it->second);
            if (!a.json)
                std::cout << "alert " << id << " was already acknowledged by "
                          << cell(field(it->second, "acknowledged_by")) << " at "
                          << short_time(field(it->second, "updated_at")) << ": "
                          << cell(field(it->second, "title")) << "\n";
            continue;
        }
        const auto v = json_or_throw(http.post_json("/v1/alerts/" + path_segment(id) + "/ack", body));
        answers.push_back(v);
        if (!a.json)
            std::cout << "alert " << cell(field(v, "id")) << " " << cell(field(v, "state")) << ": "
                      << cell(field(v, "title")) << "\n";
    }
    if (a.json)
        std::cout << boost::json::serialize(answers) << "\n";
    return failed ? exit_refused : exit_ok;
}

} // namespace

void add_alerts_commands(CLI::App& app, const global_options& g, int& exit_code) {
    auto list = std::make_shared<alerts_args>();
    auto* cmd = app.add_subcommand("alerts", "List alerts: open ones, or --all");
    cmd->add_flag("--all", list->all, "every alert, resolved and acknowledged ones too");
    cmd->add_option("--since-seq", list->since_seq, "only alerts changed after this event seq")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--no-inhibited", list->no_inhibited,
                  "leave out alerts another speaks for (inhibited), and count them");
    cmd->add_flag("--json", list->json, "print the server's answer as JSON");
    cmd->callback([list, &g, &exit_code] {
        exit_code = guarded([&] { return run_alerts(*list, g); });
    });

    auto ack = std::make_shared<ack_args>();
    auto* ack_cmd = app.add_subcommand("ack", "Acknowledge one or more alerts");
    ack_cmd->add_option("ids", ack->ids, "the alerts' ids")->required();
    ack_cmd->add_option("--note", ack->note, "what is being done about it");
    ack_cmd->add_flag("--json", ack->json, "print the alerts as a JSON array");
    ack_cmd->callback([ack, &g, &exit_code] {
        exit_code = guarded([&] { return run_ack(*ack, g); });
    });
}

} // namespace opel::ctl
