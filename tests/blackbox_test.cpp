// Black-box tests of the built opeld binary over the wire: command-line
// behaviour, a clean stop on SIGTERM, and durability across kill -9.
#include "support/process.hpp"
#include "support/test_daemon.hpp"

#include <regex>

using namespace opel::test;

namespace {

const std::string opeld = std::string(OPEL_BINARY_DIR) + "/opeld";

/// Starts opeld on `config` and returns the HTTP port it logged.
std::uint16_t start(child_process& p) {
    const auto line = p.wait_for_line("listening on http://", std::chrono::seconds(20));
    INFO(p.output());
    REQUIRE(line);
    std::smatch m;
    REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)$)")));
    REQUIRE(p.wait_for_line("ready", std::chrono::seconds(20)));
    return static_cast<std::uint16_t>(std::stoi(m[1]));
}

} // namespace

TEST_CASE("opeld --version and --help exit 0", "[blackbox]") {
    const auto [code, out] = run_to_end({opeld, "--version"});
    CHECK(code == 0);
    CHECK(run_to_end({opeld, "--help"}).first == 0);
    CHECK(run_to_end({opeld, "--no-such-flag"}).first == 2);
    CHECK(run_to_end({opeld}).first == 2);
}

TEST_CASE("opeld --check-config accepts the demo config and lists every error of a bad one",
          "[blackbox]") {
    CHECK(run_to_end({opeld, "--check-config", std::string(OPEL_SOURCE_DIR) +
                                                   "/config/opeld.yaml"}).first == 0);
    temp_dir dir;
    const auto bad = dir.path() / "bad.yaml";
    std::ofstream(bad) << "timezone: Mars/Olympus\npractices: nowhere.yaml\nrules: none.yaml\n"
                          "colour: red\n";
    const auto [code, err] = run_to_end({opeld, "--check-config", bad.string()});
    CHECK(code == 1);
    CHECK(err.find("bad.yaml:1:") != std::string::npos);
    CHECK(err.find("bad.yaml:4:") != std::string::npos);
}

TEST_CASE("opeld refuses to start on an invalid config with exit 1", "[blackbox]") {
    temp_dir dir;
    const auto bad = dir.path() / "bad.yaml";
    std::ofstream(bad) << "colour: red\n";
    CHECK(run_to_end({opeld, "--config", bad.string()}).first == 1);
}

TEST_CASE("SIGTERM stops opeld cleanly with exit 0", "[blackbox]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    child_process p({opeld, "--config", cfg.string()});
    const auto port = start(p);
    CHECK(http_client(port).get("/healthz").status == 200);
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}

TEST_CASE("an acknowledged submission survives kill -9 and a restart", "[blackbox][durability]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    std::vector<std::int64_t> acknowledged;
    {
        child_process p({opeld, "--config", cfg.string()});
        http_client c(start(p));
        for (int i = 0; i < 50; ++i) {
            const auto a = c.post("/v1/submissions",
                                  R"({"practice":"C82001","level":)" + std::to_string(1 + i % 4) +
                                      "}",
                                  practice_token);
            REQUIRE(a.status == 201);
            acknowledged.push_back(a.json().at("id").as_int64());
        }
        p.signal(SIGKILL);
        CHECK(p.wait() == 128 + SIGKILL);
    }
    child_process p({opeld, "--config", cfg.string()});
    http_client c(start(p));
    const auto list = c.get("/v1/submissions?limit=10000", team_token).json();
    std::vector<std::int64_t> stored;
    for (const auto& s : list.at("submissions").as_array())
        stored.push_back(s.at("id").as_int64());
    std::sort(stored.begin(), stored.end());
    CHECK(stored == acknowledged);
    // The alerts those reports raised are there too.
    CHECK(!c.get("/v1/alerts?state=all", team_token).json().at("alerts").as_array().empty());
    p.signal(SIGTERM);
    CHECK(p.wait() == 0);
}

TEST_CASE("the systemd unit verifies against the built binary", "[blackbox][systemd]") {
    // A check that cannot run fails: passing it would claim a verification
    // that never happened.
    if (!std::filesystem::exists("/usr/bin/systemd-analyze"))
        FAIL("systemd-analyze is not installed here (scripts/deps installs it)");
    temp_dir dir;
    std::ifstream in(std::string(OPEL_SOURCE_DIR) + "/systemd/opeld.service");
    std::string unit(std::istreambuf_iterator<char>(in), {});
    for (auto at = unit.find("/usr/bin/opeld"); at != std::string::npos;
         at = unit.find("/usr/bin/opeld", at))
        unit.replace(at, 14, opeld);
    const auto file = dir.path() / "opeld.service";
    std::ofstream(file) << unit;
    // The man pages it names are checked where they are installed (package test).
    const auto [code, err] =
        run_to_end({"/usr/bin/systemd-analyze", "verify", "--man=no", file.string()});
    INFO(err);
    CHECK(code == 0);
    CHECK(unit.find("Type=notify") != std::string::npos);
    CHECK(unit.find("WatchdogSec=") != std::string::npos);
}
