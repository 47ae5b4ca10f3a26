// Black-box start-up refusals: opeld must not run on a database file that is
// not its own or not whole. Each case exits non-zero with a message that says
// what is wrong with which file, and leaves the file as it found it.
#include "support/process.hpp"
#include "support/test_daemon.hpp"

#include <regex>

using namespace opel::test;

namespace {

const std::string opeld = std::string(OPEL_BINARY_DIR) + "/opeld";

std::string bytes_of(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

/// Runs opeld on `cfg` expecting it to refuse; its stderr.
std::string refused(const std::filesystem::path& cfg) {
    const auto [code, err] = run_to_end({opeld, "--config", cfg.string()});
    INFO(err);
    CHECK(code == 1);
    CHECK(err.find("cannot start") != std::string::npos);
    CHECK(err.find("opeld.db") != std::string::npos);
    return err;
}

} // namespace

TEST_CASE("opeld refuses a database file of garbage", "[blackbox][store]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    std::string garbage;
    for (int i = 0; i < 400; ++i)
        garbage += "this is not a database, line " + std::to_string(i) + "\n";
    std::ofstream(dir.path() / "opeld.db", std::ios::binary) << garbage;
    const auto err = refused(cfg);
    CHECK(err.find("not a usable SQLite database") != std::string::npos);
    CHECK(bytes_of(dir.path() / "opeld.db") == garbage);
}

TEST_CASE("opeld refuses another application's SQLite file and does not write into it",
          "[blackbox][store]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    const auto db_file = dir.path() / "opeld.db";
    {
        opel::store::sqlite::db other(db_file, true);
        other.exec("PRAGMA application_id = 1234; CREATE TABLE recipes (name TEXT); "
                   "INSERT INTO recipes VALUES ('scones');");
    }
    const auto before = bytes_of(db_file);
    const auto err = refused(cfg);
    CHECK(err.find("belongs to another program") != std::string::npos);
    CHECK(bytes_of(db_file) == before);
}

TEST_CASE("opeld refuses a truncated database", "[blackbox][store]") {
    temp_dir dir;
    const auto cfg = write_config(dir.path());
    const auto db_file = dir.path() / "opeld.db";
    {
        child_process p({opeld, "--config", cfg.string()});
        const auto line = p.wait_for_line("listening on http://", std::chrono::seconds(20));
        REQUIRE(line);
        std::smatch m;
        REQUIRE(std::regex_search(*line, m, std::regex(R"(:(\d+)$)")));
        REQUIRE(p.wait_for_line("ready", std::chrono::seconds(20)));
        http_client c(static_cast<std::uint16_t>(std::stoi(m[1])));
        for (int i = 0; i < 100; ++i)
            REQUIRE(c.post("/v1/submissions",
                           R"({"practice":"C82001","level":2,"note":")" +
                               std::string(1000, 'n') + "\"}",
                           practice_token)
                        .status == 201);
        p.signal(SIGTERM);
        REQUIRE(p.wait() == 0);
    }
    // A clean stop leaves everything in the main file; cut it in half, as a
    // copy that ran out of space would.
    std::filesystem::remove(dir.path() / "opeld.db-wal");
    std::filesystem::remove(dir.path() / "opeld.db-shm");
    const auto size = std::filesystem::file_size(db_file);
    REQUIRE(size > 64 * 1024);
    std::filesystem::resize_file(db_file, size / 2);
    const auto err = refused(cfg);
    CHECK(err.find("malformed") != std::string::npos);
}
