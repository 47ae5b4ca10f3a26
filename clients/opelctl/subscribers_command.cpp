// `opelctl subscribers list|test NAME`: who is told, how their deliveries
// stand, and a test message to one of them (admin), so an operator can
// check a new mail relay, card or phone number without waiting for an alert.
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

struct subscribers_args {
    std::string name;
    bool json = false;
};

int run_list(const subscribers_args& a, const global_options& g) {
    http_call call(resolve_connection(g));
    const auto answer = call.get("/v1/subscribers");
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
        return exit_ok;
    }
    load_words(call);
    std::vector<table_row> rows;
    const auto& list = field(v, "subscribers");
    if (list.is_array())
        for (const auto& s : list.get_array())
            rows.push_back({{cell(field(s, "name")), cell(field(s, "kind")),
                             cell(field(s, "target")), cell(field(s, "pending")),
                             short_time(field(s, "last_delivery")),
                             cell(field(s, "last_failure"))}});
    if (rows.empty())
        std::cout << "no subscribers\n";
    else
        print_table(std::cout, {"NAME", "KIND", "TARGET", "PENDING", "LAST DELIVERY", "LAST FAILURE"},
                    rows, false);
    return exit_ok;
}

int run_test(const subscribers_args& a, const global_options& g) {
    const auto answer = http_call(resolve_connection(g))
                            .post_json("/v1/subscribers/" + path_segment(a.name) + "/test",
                                       boost::json::object{});
    const auto v = json_or_throw(answer);
    if (a.json) {
        std::cout << answer.body << "\n";
    } else if (field(v, "delivered").is_bool() && field(v, "delivered").get_bool()) {
        std::cout << "test message delivered to " << a.name << "\n";
    } else {
        std::cout << "test message to " << a.name << " failed: " << cell(field(v, "error"))
                  << "\n";
        return exit_refused;
    }
    return exit_ok;
}

} // namespace

void add_subscribers_commands(CLI::App& app, const global_options& g, int& exit_code) {
    auto* cmd = app.add_subcommand("subscribers", "List subscribers, or send one a test message");
    cmd->require_subcommand(1);
    auto list = std::make_shared<subscribers_args>();
    auto* list_cmd = cmd->add_subcommand("list", "Each subscriber's kind and delivery state");
    list_cmd->add_flag("--json", list->json, "print the server's answer as JSON");
    list_cmd->callback([list, &g, &exit_code] {
        exit_code = guarded([&] { return run_list(*list, g); });
    });
    auto test = std::make_shared<subscribers_args>();
    auto* test_cmd = cmd->add_subcommand("test", "Send a subscriber a test message (admin)");
    test_cmd->add_option("name", test->name, "the subscriber's name")->required();
    test_cmd->add_flag("--json", test->json, "print the server's answer as JSON");
    test_cmd->callback([test, &g, &exit_code] {
        exit_code = guarded([&] { return run_test(*test, g); });
    });
}

} // namespace opel::ctl
