// Micro-benchmark of the submission parser, the first step of every ingest
// path: parse_submission (strict JSON, UTF-8, unique keys, types and limits)
// and the content hash behind idempotency, on the bodies the comparison
// sends (a bare report) and on a fuller one (themes, a note, a key).
#include "core/submission_parser.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <variant>
#include <vector>

namespace {

/// Parses `bodies` round-robin `n` times; prints and returns parses/s.
double time_parse(const char* what, const std::vector<std::string>& bodies, int n, bool hash) {
    std::size_t ok = 0, hashed = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) {
        auto r = opel::core::parse_submission(bodies[std::size_t(i) % bodies.size()],
                                              opel::core::ingest_kind::http);
        if (const auto* p = std::get_if<opel::core::parsed_submission>(&r)) {
            ++ok;
            if (hash)
                hashed += opel::core::content_hash(p->value).size();
        }
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    const double rate = n / took.count();
    std::printf("%-34s %9.0f parses/s  %6.2f us each  (%zu of %d valid%s)\n", what, rate,
                1e6 / rate, ok, n, hash ? ", hashed" : "");
    return ok == std::size_t(n) && (!hash || hashed > 0) ? rate : 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"parser_bench: submissions parsed per second on one core"};
    int n = 500000;
    app.add_option("--count,-n", n, "parses per case");
    CLI11_PARSE(app, argc, argv);

    std::vector<std::string> bare, full;
    for (int p = 0; p < 1000; ++p) {
        char code[8];
        std::snprintf(code, sizeof code, "P%05d", p);
        bare.push_back(std::string(R"({"practice":")") + code + R"(","level":)" +
                       std::to_string(p % 4 + 1) + "}");
        full.push_back(std::string(R"({"practice":")") + code + R"(","level":)" +
                       std::to_string(p % 4 + 1) +
                       R"(,"themes":["workforce","telephony"],"note":"Two GPs off sick; )"
                       R"(locum cover until 14:00 only.","support_requested":"A locum for )"
                       R"(the afternoon","idempotency_key":"k-)" +
                       std::to_string(p) + "\"}");
    }
    const bool ok = time_parse("bare report", bare, n, false) > 0 &&
                    time_parse("bare report + content hash", bare, n, true) > 0 &&
                    time_parse("full report (themes, note, key)", full, n, false) > 0 &&
                    time_parse("full report + content hash", full, n, true) > 0;
    return ok ? 0 : 1;
}
