// `opelctl submit`: a practice reports its level now, over HTTP (POST
// /v1/submissions) or ZeroMQ (the ROUTER ingest, whose reply carries the
// HTTP status it would have had). The server validates everything; the
// client only checks what CLI11 can (a level 1 to 4) and prints the answer.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "output.hpp"
#include "zmq_link.hpp"

#include <boost/json.hpp>

#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct submit_args {
    std::string practice;
    int level = 0;
    std::vector<std::string> themes;
    std::string note;
    std::string support;
    std::string idempotency_key;
    std::string http_url;
    std::string zmq_endpoint;
    bool json = false;
};

boost::json::object submission_body(const submit_args& a, const connection& c) {
    boost::json::object body;
    body["practice"] = a.practice.empty() ? c.practice : a.practice;
    if (body["practice"].as_string().empty())
        throw usage_error("name the practice: --practice CODE (or OPEL_PRACTICE, or practice: "
                          "in the config file)");
    body["level"] = a.level;
    if (!a.themes.empty())
        body["themes"] = boost::json::value_from(a.themes);
    if (!a.note.empty())
        body["note"] = a.note;
    if (!a.support.empty())
        body["support_requested"] = a.support;
    if (!a.idempotency_key.empty())
        body["idempotency_key"] = a.idempotency_key;
    return body;
}

/// The ZeroMQ reply as an HTTP-shaped answer, so both transports share one check.
http_answer submit_zmq(const submit_args& a, const connection& c, boost::json::object body) {
    body["token"] = c.token;
    const auto raw = zmq_request(a.zmq_endpoint, boost::json::serialize(body), c.timeout);
    boost::system::error_code ec;
    const auto reply = boost::json::parse(raw, ec);
    const auto& status = field(reply, "status");
    if (ec || !status.is_int64())
        throw std::runtime_error("the ZeroMQ reply has no status: " + raw);
    return {static_cast<int>(status.get_int64()), "application/json", raw};
}

void print_answer(const boost::json::value& v) {
    std::cout << "accepted: submission " << cell(field(v, "id")) << ", "
              << cell(field(v, "practice")) << " at level " << level_label(field(v, "level"))
              << ", received " << short_time(field(v, "received_at")) << "\n";
    const auto& alerts = field(v, "alerts");
    if (alerts.is_array() && !alerts.get_array().empty())
        std::cout << "alerts raised or updated: " << cell(alerts) << "\n";
}

int run_submit(const submit_args& a, const global_options& g) {
    auto c = resolve_connection(g);
    if (!a.http_url.empty())
        c.url = a.http_url;
    const auto body = submission_body(a, c);
    const auto answer =
        a.zmq_endpoint.empty() ? http_call(c).post_json("/v1/submissions", body)
                               : submit_zmq(a, c, body);
    const auto v = json_or_throw(answer);
    if (a.json)
        std::cout << answer.body << "\n";
    else
        print_answer(v);
    return exit_ok;
}

} // namespace

void add_submit_command(CLI::App& app, const global_options& g, int& exit_code) {
    auto args = std::make_shared<submit_args>();
    auto* cmd = app.add_subcommand("submit", "Report a practice's OPEL level now");
    cmd->add_option("--practice", args->practice,
                    "the practice's ODS code (default: $OPEL_PRACTICE or the config file's)");
    cmd->add_option("-l,--level", args->level, "the OPEL level, 1 to 4")
        ->required()
        ->check(CLI::Range(1, 4));
    cmd->add_option("--theme", args->themes,
                    "a theme id (repeat, or separate with commas), e.g. workforce,telephony")
        ->delimiter(',');
    cmd->add_option("--note", args->note, "a note for the primary care team (up to 2,000 chars)");
    cmd->add_option("--support", args->support, "the support requested (up to 500 characters)");
    cmd->add_option("--idempotency-key", args->idempotency_key,
                    "a key that makes a retry safe: the server stores the report once");
    auto* http = cmd->add_option("--http", args->http_url, "submit over HTTP to this URL");
    cmd->add_option("--zmq", args->zmq_endpoint,
                    "submit over ZeroMQ to this ingest endpoint, e.g. tcp://127.0.0.1:5555")
        ->excludes(http);
    cmd->add_flag("--json", args->json, "print the server's answer as JSON");
    cmd->callback([args, &g, &exit_code] {
        exit_code = guarded([&] { return run_submit(*args, g); });
    });
}

} // namespace opel::ctl
