// Micro-benchmark of the rules engine at national scale: 6,300 practices in
// 1,260 PCNs and 42 places, the shipped rules, reports at random levels and
// themes. The time per report must not grow with the number of practices.
#include "rules/engine.hpp"
#include "rules/rules_loader.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>
#include <random>

int main(int argc, char** argv) {
    CLI::App app{"rules_bench: reports per second through the rules engine"};
    std::string rules_file = "rules/llr.yaml";
    int practices = 6300;
    int reports = 200000;
    app.add_option("--rules", rules_file, "rules file");
    app.add_option("--practices", practices, "number of practices");
    app.add_option("--reports", reports, "number of reports");
    CLI11_PARSE(app, argc, argv);

    std::vector<opel::core::diagnostic> errors;
    auto set = opel::rules::load_rule_set(rules_file, errors);
    if (!set) {
        for (const auto& e : errors)
            std::cerr << e.to_string() << "\n";
        return 1;
    }
    std::vector<opel::core::practice> ps;
    for (int i = 0; i < practices; ++i)
        ps.push_back({"P" + std::to_string(100000 + i), "Practice " + std::to_string(i),
                      "PCN " + std::to_string(i / 5), "place " + std::to_string(i / 150)});
    opel::rules::engine e(set, ps, {}, date::locate_zone("Europe/London"));
    std::mt19937 rng(42);
    opel::core::time_point now{date::sys_days{date::year{2026} / 1 / 5}};
    std::size_t changes = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int n = 1; n <= reports; ++n) {
        now += std::chrono::seconds(30);
        opel::core::submission s;
        s.id = n;
        s.practice = ps[rng() % ps.size()].code;
        s.level = 1 + static_cast<int>(rng() % 100 < 70 ? rng() % 2 : 2 + rng() % 2);
        s.themes = {set->themes[rng() % set->themes.size()]};
        s.received_at = s.reported_at = now;
        changes += e.on_submission(s, now).size();
        // Now and then the team acknowledges everything firing; an alert may
        // already be gone, resolved by an earlier acknowledgement.
        if (n % 3000 == 0)
            for (const auto& a : e.open_alerts()) {
                auto r = e.acknowledge(a.id, "bench", "", now);
                if (const auto* cs = std::get_if<0>(&r))
                    changes += cs->size();
            }
    }
    const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
    std::cout << reports << " reports over " << practices << " practices: " << took.count()
              << " s, " << reports / took.count() << " reports/s, " << changes << " changes, "
              << e.open_alerts().size() << " open alerts\n";
}
