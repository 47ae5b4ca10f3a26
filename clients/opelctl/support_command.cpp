// `opelctl support offer|list|move` and `opelctl escalate`: the primary care
// team's work after an alert, from the shell. Each prints the server's answer
// back (the item, the escalation) as proof, like `opelctl ack`.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "vocabulary.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

namespace bhttp = boost::beast::http;

struct offer_args {
    std::string practice;
    std::string action;
    std::string note;
    bool json = false;
};

struct list_args {
    std::string practice;
    bool all = false;
    bool json = false;
};

struct move_args {
    std::string id;
    std::string state;
    std::string note;
    bool json = false;
};

struct escalate_args {
    std::string title;
    std::string message;
    int level = 0;
    std::vector<std::string> themes;
    std::vector<std::string> practices;
    bool json = false;
};

/// "support 7 C82001 locum_cover: agreed".
void print_item(const boost::json::value& v) {
    std::cout << "support " << cell(field(v, "id")) << " " << cell(field(v, "practice")) << " "
              << cell(field(v, "action")) << ": " << cell(field(v, "state")) << "\n";
}

int print_answer(const http_answer& answer, bool json) {
    const auto v = json_or_throw(answer);
    if (json)
        std::cout << answer.body << "\n";
    else
        print_item(v);
    return exit_ok;
}

int run_offer(const offer_args& a, const global_options& g) {
    boost::json::object body{{"action", a.action}};
    if (!a.note.empty())
        body["note"] = a.note;
    return print_answer(http_call(resolve_connection(g))
                            .post_json("/v1/practices/" + path_segment(a.practice) + "/support",
                                       body),
                        a.json);
}

int run_move(const move_args& a, const global_options& g) {
    boost::json::object body{{"state", a.state}};
    if (!a.note.empty())
        body["note"] = a.note;
    return print_answer(http_call(resolve_connection(g))
                            .request(bhttp::verb::patch, "/v1/support/" + path_segment(a.id),
                                     boost::json::serialize(body), "application/json"),
                        a.json);
}

int run_list(const list_args& a, const global_options& g) {
    std::vector<std::pair<std::string, std::string>> query{{"state", a.all ? "all" : "open"}};
    if (!a.practice.empty())
        query.emplace_back("practice", a.practice);
    http_call call(resolve_connection(g));
    const auto answer = call.get(with_query("/v1/support", query));
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    std::vector<table_row> rows;
    const auto& list = field(v, "support");
    if (list.is_array())
        for (const auto& s : list.get_array())
            rows.push_back({{cell(field(s, "id")), cell(field(s, "practice")),
                             cell(field(s, "action")), cell(field(s, "state")),
                             cell(field(s, "by")), short_time(field(s, "updated_at")),
                             cell(field(s, "note"))},
                            0});
    if (rows.empty()) {
        std::cout << (a.all ? "no support items\n" : "no open support\n");
        return exit_ok;
    }
    print_table(std::cout, {"ID", "PRACTICE", "ACTION", "STATE", "BY", "UPDATED", "NOTE"}, rows,
                colour_wanted());
    return exit_ok;
}

int run_escalate(const escalate_args& a, const global_options& g) {
    boost::json::array themes(a.themes.begin(), a.themes.end());
    boost::json::array practices(a.practices.begin(), a.practices.end());
    const boost::json::object body{{"title", a.title},          {"message", a.message},
                                   {"level", a.level},          {"themes", std::move(themes)},
                                   {"practices", std::move(practices)}};
    const auto answer = http_call(resolve_connection(g)).post_json("/v1/escalations", body);
    const auto v = json_or_throw(answer);
    if (a.json)
        std::cout << answer.body << "\n";
    else
        std::cout << "escalation " << cell(field(v, "id")) << " (OPEL " << cell(field(v, "level"))
                  << ") sent to the system: " << cell(field(v, "title")) << "\n";
    return exit_ok;
}

void add_offer(CLI::App& support, const global_options& g, int& exit_code) {
    auto a = std::make_shared<offer_args>();
    auto* cmd = support.add_subcommand("offer", "Offer a practice support");
    cmd->add_option("practice", a->practice, "the practice's ODS code")->required();
    cmd->add_option("action", a->action, "a support action id from the rules file")->required();
    cmd->add_option("--note", a->note, "what is offered, in words");
    cmd->add_flag("--json", a->json, "print the item as JSON");
    cmd->callback([a, &g, &exit_code] { exit_code = guarded([&] { return run_offer(*a, g); }); });
}

void add_list(CLI::App& support, const global_options& g, int& exit_code) {
    auto a = std::make_shared<list_args>();
    auto* cmd = support.add_subcommand("list", "List support items: open ones, or --all");
    cmd->add_option("--practice", a->practice, "only this practice's");
    cmd->add_flag("--all", a->all, "declined and ended items too");
    cmd->add_flag("--json", a->json, "print the server's answer as JSON");
    cmd->callback([a, &g, &exit_code] { exit_code = guarded([&] { return run_list(*a, g); }); });
}

void add_move(CLI::App& support, const global_options& g, int& exit_code) {
    auto a = std::make_shared<move_args>();
    auto* cmd = support.add_subcommand("move", "Move a support item to its next state");
    cmd->add_option("id", a->id, "the item's id")->required();
    cmd->add_option("state", a->state, "agreed, declined, in_place or ended")
        ->required()
        ->check(CLI::IsMember({"agreed", "declined", "in_place", "ended"}));
    cmd->add_option("--note", a->note, "why, or what was agreed");
    cmd->add_flag("--json", a->json, "print the item as JSON");
    cmd->callback([a, &g, &exit_code] { exit_code = guarded([&] { return run_move(*a, g); }); });
}

} // namespace

void add_support_commands(CLI::App& app, const global_options& g, int& exit_code) {
    auto* support = app.add_subcommand("support", "Support offered to practices");
    support->require_subcommand(1);
    add_offer(*support, g, exit_code);
    add_list(*support, g, exit_code);
    add_move(*support, g, exit_code);

    auto e = std::make_shared<escalate_args>();
    auto* cmd = app.add_subcommand("escalate", "Escalate to the system (the control room)");
    cmd->add_option("--title", e->title, "one line")->required();
    cmd->add_option("--message", e->message, "what the system must know")->required();
    cmd->add_option("--level", e->level, "the OPEL level it speaks of, 1 to 4")
        ->required()
        ->check(CLI::Range(1, 4));
    cmd->add_option("--theme", e->themes, "a theme id (repeat for more)");
    cmd->add_option("--practice", e->practices, "a practice code (repeat for more)");
    cmd->add_flag("--json", e->json, "print the escalation as JSON");
    cmd->callback([e, &g, &exit_code] { exit_code = guarded([&] { return run_escalate(*e, g); }); });
}

} // namespace opel::ctl
