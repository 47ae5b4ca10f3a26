// End-to-end tests of opelctl: the built binary (OPEL_BINARY_DIR/opelctl) is
// run as a child process against a real daemon started in-process on port 0,
// and its exit code, stdout and stderr are checked. The child gets a clean
// environment (no OPEL_*, an empty XDG config dir) so a developer's own
// config cannot leak in. Nothing sleeps: the tests wait on the child's
// output or exit with a deadline.
#include "support/test_daemon.hpp"
#include "support/webhook_receiver.hpp"
#include "zmq/curve.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

extern char** environ;

using namespace opel::test;

namespace {

/// What a finished opelctl run left behind.
struct run_result {
    int code = -1;
    std::string out;
    std::string err;
};

/// Environment changes for a run: a value sets, nullopt removes.
using env_changes = std::map<std::string, std::optional<std::string>>;

/// One running opelctl, its stdout and stderr read through pipes.
class child {
public:
    /// Starts opelctl; with `tty`, its stdout is a pseudo-terminal.
    child(const std::vector<std::string>& args, const env_changes& env, bool tty = false) {
        int out[2], err[2];
        REQUIRE(pipe2(err, O_CLOEXEC) == 0);
        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (tty) {
            out[0] = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
            REQUIRE((out[0] >= 0 && grantpt(out[0]) == 0 && unlockpt(out[0]) == 0));
            out[1] = -1;
            posix_spawn_file_actions_addopen(&fa, 1, ptsname(out[0]), O_RDWR | O_NOCTTY, 0);
        } else {
            REQUIRE(pipe2(out, O_CLOEXEC) == 0);
            posix_spawn_file_actions_adddup2(&fa, out[1], 1);
        }
        posix_spawn_file_actions_adddup2(&fa, err[1], 2);
        auto argv = strings({std::string(OPEL_BINARY_DIR) + "/opelctl"}, args);
        auto envp = environment(env);
        const int rc = posix_spawn(&pid_, argv.front().c_str(), &fa, nullptr,
                                   pointers(argv).data(), pointers(envp).data());
        posix_spawn_file_actions_destroy(&fa);
        if (out[1] >= 0)
            close(out[1]);
        close(err[1]);
        out_fd_ = out[0];
        err_fd_ = err[0];
        REQUIRE(rc == 0);
    }
    ~child() {
        if (pid_ > 0) {
            kill(pid_, SIGKILL);
            waitpid(pid_, nullptr, 0);
        }
        close(out_fd_);
        close(err_fd_);
    }

    /// Reads output until stdout holds `needle` times `n`, or the deadline.
    bool wait_for_output(const std::string& needle, std::size_t n = 1,
                         std::chrono::seconds limit = std::chrono::seconds(20)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (occurrences(needle) < n) {
            if (!pump(deadline))
                return occurrences(needle) >= n;
        }
        return true;
    }

    /// Reads everything until the child exits; kills it after `limit`.
    run_result finish(std::chrono::seconds limit = std::chrono::seconds(30)) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (pump(deadline)) {
        }
        if (std::chrono::steady_clock::now() >= deadline)
            kill(pid_, SIGKILL);
        int status = 0;
        waitpid(pid_, &status, 0);
        pid_ = -1;
        result_.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        return result_;
    }

    /// The output so far.
    const run_result& so_far() const { return result_; }

private:
    static std::vector<std::string> strings(std::vector<std::string> a,
                                            const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    }
    static std::vector<char*> pointers(std::vector<std::string>& v) {
        std::vector<char*> p;
        for (auto& s : v)
            p.push_back(s.data());
        p.push_back(nullptr);
        return p;
    }
    static std::vector<std::string> environment(const env_changes& env) {
        std::vector<std::string> out;
        for (char** e = environ; *e; ++e) {
            const std::string kv(*e);
            const auto key = kv.substr(0, kv.find('='));
            if (!key.starts_with("OPEL_") && key != "XDG_CONFIG_HOME" && key != "NO_COLOR" &&
                !env.count(key))
                out.push_back(kv);
        }
        for (const auto& [k, v] : env)
            if (v)
                out.push_back(k + "=" + *v);
        return out;
    }
    std::size_t occurrences(const std::string& needle) const {
        std::size_t n = 0;
        for (auto at = result_.out.find(needle); at != std::string::npos;
             at = result_.out.find(needle, at + needle.size()))
            ++n;
        return n;
    }
    /// One poll of both pipes; false once both are closed or at the deadline.
    bool pump(std::chrono::steady_clock::time_point deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || (out_fd_ < 0 && err_fd_ < 0))
            return false;
        pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
        if (poll(fds, 2, static_cast<int>(left.count())) <= 0)
            return false;
        drain(fds[0], out_fd_, result_.out);
        drain(fds[1], err_fd_, result_.err);
        return true;
    }
    static void drain(const pollfd& p, int& fd, std::string& into) {
        if (fd < 0 || !(p.revents & (POLLIN | POLLHUP | POLLERR)))
            return;
        char buf[4096];
        // A pseudo-terminal whose child has gone reads EIO, not 0: both end it.
        const auto n = read(fd, buf, sizeof buf);
        if (n > 0)
            into.append(buf, static_cast<std::size_t>(n));
        else {
            close(fd);
            fd = -1;
        }
    }

    pid_t pid_ = -1;
    int out_fd_ = -1;
    int err_fd_ = -1;
    run_result result_;
};

/// A config dir with nothing in it, shared by the runs that need no file.
const temp_dir& empty_config_home() {
    static temp_dir dir;
    return dir;
}

run_result run(const std::vector<std::string>& args, env_changes env = {}) {
    env.try_emplace("XDG_CONFIG_HOME", empty_config_home().path().string());
    return child(args, env).finish();
}

std::string url_of(const test_daemon& d) {
    return "http://127.0.0.1:" + std::to_string(d.port());
}

/// The server flags for `d` with `token`.
std::vector<std::string> at(const test_daemon& d, const std::string& token,
                            std::vector<std::string> args) {
    args.insert(args.end(), {"--url", url_of(d), "--token", token});
    return args;
}

/// A port that is bound but not listening: connecting to it is refused.
struct closed_port {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor acceptor{ioc};
    closed_port() {
        acceptor.open(boost::asio::ip::tcp::v4());
        acceptor.bind({boost::asio::ip::make_address("127.0.0.1"), 0});
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port());
    }
};

std::size_t stored_count(const test_daemon& d) {
    return d
        .client()
        .get("/v1/submissions?limit=10000", admin_token)
        .json()
        .at("submissions")
        .as_array()
        .size();
}

} // namespace

// --- usage and exit codes -------------------------------------------------

TEST_CASE("every command takes --help and exits 0", "[opelctl]") {
    for (const std::vector<std::string>& cmd :
         {std::vector<std::string>{}, {"submit"}, {"status"}, {"history"}, {"alerts"}, {"ack"}, {"silence"},
          {"silence", "add"}, {"silence", "list"}, {"silence", "expire"}, {"tail"}, {"summary"},
          {"report"}, {"import"}, {"audit"}, {"rules"}, {"rules", "test"}, {"rules", "check"}}) {
        auto args = cmd;
        args.push_back("--help");
        const auto r = run(args);
        INFO("opelctl " << r.out);
        CHECK(r.code == 0);
        CHECK(r.out.find("Usage") != std::string::npos);
    }
}

TEST_CASE("usage errors exit 2 with a message", "[opelctl]") {
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{}, {"no-such-command"}, {"submit", "--practice", "C82001"},
          {"submit", "--practice", "C82001", "--level", "7"},
          {"submit", "--level", "3", "--http", "http://a", "--zmq", "tcp://a:1"},
          {"status", "--no-such-flag"}, {"summary", "--date", "28/11/2026"},
          {"report"}, {"report", "--month", "2026-13-01"}, {"import", "/no/such/file"},
          {"silence", "add", "--rule", "practice-level-3"}, {"status", "--timeout", "0"},
          {"status", "--url", "ftp://example.org"}}) {
        const auto r = run(args);
        INFO("args: " << args.size() << " stderr: " << r.err);
        CHECK(r.code == 2);
        CHECK_FALSE(r.err.empty());
    }
}

TEST_CASE("a server that cannot be reached exits 3", "[opelctl]") {
    closed_port port;
    auto r = run({"status", "--url", port.url(), "--token", team_token});
    CHECK(r.code == 3);
    CHECK(r.err.find("cannot connect") != std::string::npos);
    r = run({"submit", "--url", port.url(), "--practice", "C82001", "--level", "2"});
    CHECK(r.code == 3);
    r = run({"status", "--url", "http://no-such-host.invalid:8080"});
    CHECK(r.code == 3);
}

TEST_CASE("a server that accepts but never answers times out with exit 3", "[opelctl]") {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    const auto url = "http://127.0.0.1:" + std::to_string(silent.local_endpoint().port());
    const auto r = run({"status", "--url", url, "--timeout", "0.3"});
    CHECK(r.code == 3);
    CHECK(r.err.find("did not answer") != std::string::npos);
}

TEST_CASE("a ZeroMQ submission with nobody listening exits 3 after the timeout", "[opelctl]") {
    closed_port port;
    const auto endpoint = "tcp://127.0.0.1:" + std::to_string(port.acceptor.local_endpoint().port());
    const auto r = run({"submit", "--zmq", endpoint, "--practice", "C82001", "--level", "2",
                        "--timeout", "0.3"});
    CHECK(r.code == 3);
}

// --- submit and status over HTTP ------------------------------------------

TEST_CASE("submit over HTTP stores the report and prints the answer", "[opelctl]") {
    test_daemon d;
    const auto r = run(at(d, practice_token,
                          {"submit", "--practice", "C82001", "--level", "3", "--theme",
                           "workforce,telephony", "--note", "two GPs off sick", "--support",
                           "locum cover"}));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("accepted: submission") != std::string::npos);
    CHECK(r.out.find("C82001 at level 3 Severe pressure") != std::string::npos);
    const auto list = d.client().get("/v1/submissions", team_token).json();
    REQUIRE(list.at("submissions").as_array().size() == 1);
    const auto& s = list.at("submissions").at(0);
    CHECK(s.at("themes").as_array().size() == 2);
    CHECK(s.at("note") == "two GPs off sick");
    CHECK(s.at("support_requested") == "locum cover");
}

TEST_CASE("submit --json prints the server's answer as JSON", "[opelctl]") {
    test_daemon d;
    const auto r = run(at(d, practice_token,
                          {"submit", "--practice", "C82001", "--level", "2", "--json"}));
    REQUIRE(r.code == 0);
    const auto v = boost::json::parse(r.out);
    CHECK(v.at("practice") == "C82001");
    CHECK(v.at("level") == 2);
}

TEST_CASE("an idempotency key makes a repeated submit store once", "[opelctl]") {
    test_daemon d;
    const auto args = at(d, practice_token, {"submit", "--practice", "C82001", "--level", "2",
                                             "--idempotency-key", "retry-1"});
    CHECK(run(args).code == 0);
    CHECK(run(args).code == 0);
    CHECK(stored_count(d) == 1);
}

TEST_CASE("a refused submission exits 1 with the server's message", "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, practice_token, {"submit", "--practice", "C82002", "--level", "2"}));
    CHECK(r.code == 1);
    CHECK(r.err.find("403") != std::string::npos);
    CHECK(r.err.find("may only submit for practice C82001") != std::string::npos);
    r = run(at(d, practice_token,
               {"submit", "--practice", "C82001", "--level", "2", "--theme", "no_such_theme"}));
    CHECK(r.code == 1);
    CHECK(r.err.find("(field: themes)") != std::string::npos);
    r = run(at(d, "not-a-token", {"status"}));
    CHECK(r.code == 1);
    CHECK(r.err.find("401") != std::string::npos);
    CHECK(stored_count(d) == 0);
}

TEST_CASE("status prints the system level and a row per practice, plain when piped",
          "[opelctl]") {
    test_daemon d;
    REQUIRE(run(at(d, practice_token, {"submit", "--practice", "C82001", "--level", "3",
                                       "--theme", "workforce"}))
                .code == 0);
    const auto r = run(at(d, team_token, {"status"}));
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("system:") != std::string::npos);
    CHECK(r.out.find("CODE") != std::string::npos);
    const auto row = r.out.substr(r.out.find("C82001"));
    CHECK(row.substr(0, row.find('\n')).find("3 Severe pressure") != std::string::npos);
    // Themes by the rules file's names, times in the daemon's zone with the year.
    CHECK(row.substr(0, row.find('\n')).find("Workforce (sickness, vacancies)") !=
          std::string::npos);
    CHECK(row.substr(0, row.find('\n')).find("2026-11-25 10:00 GMT") != std::string::npos);
    CHECK(r.out.find("C82002") != std::string::npos);
    CHECK(r.out.find("\x1b[") == std::string::npos);
}

TEST_CASE("status is coloured by level on a terminal, unless NO_COLOR is set", "[opelctl]") {
    test_daemon d;
    REQUIRE(run(at(d, practice_token, {"submit", "--practice", "C82001", "--level", "4"})).code ==
            0);
    const env_changes env{{"XDG_CONFIG_HOME", empty_config_home().path().string()}};
    auto r = child(at(d, team_token, {"status"}), env, true).finish();
    CHECK(r.code == 0);
    CHECK(r.out.find("\x1b[1;31mC82001") != std::string::npos); // level 4: red
    auto plain = env;
    plain["NO_COLOR"] = "1";
    r = child(at(d, team_token, {"status"}), plain, true).finish();
    CHECK(r.code == 0);
    CHECK(r.out.find("C82001") != std::string::npos);
    CHECK(r.out.find("\x1b[") == std::string::npos);
}

TEST_CASE("status --json is the server's answer and --place filters the table", "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"status", "--json"}));
    REQUIRE(r.code == 0);
    const auto v = boost::json::parse(r.out);
    CHECK(v.at("practices").as_array().size() > 1);
    const auto place = std::string(v.at("practices").at(0).at("place").as_string());
    r = run(at(d, team_token, {"status", "--place", place}));
    REQUIRE(r.code == 0);
    for (const auto& p : v.at("practices").as_array()) {
        const bool here = p.at("place") == place.c_str();
        CHECK((r.out.find(std::string(p.at("code").as_string())) != std::string::npos) == here);
    }
}

// --- where the server and token come from ---------------------------------

TEST_CASE("url and token come from flags over the environment over the config file",
          "[opelctl]") {
    test_daemon d;
    closed_port closed;
    temp_dir home;
    std::filesystem::create_directories(home.path() / "opelctl");
    const auto write_file = [&](const std::string& text) {
        std::ofstream(home.path() / "opelctl" / "config.yaml") << text;
    };
    const std::string xdg = home.path().string();
    write_file("url: " + url_of(d) + "\ntoken: " + team_token + "\n");
    CHECK(run({"status"}, {{"XDG_CONFIG_HOME", xdg}}).code == 0);
    // The environment beats the file; a flag beats the environment.
    CHECK(run({"status"}, {{"XDG_CONFIG_HOME", xdg}, {"OPEL_URL", closed.url()}}).code == 3);
    CHECK(run({"status", "--url", url_of(d)}, {{"XDG_CONFIG_HOME", xdg}, {"OPEL_URL", closed.url()}})
              .code == 0);
    CHECK(run({"status"}, {{"XDG_CONFIG_HOME", xdg}, {"OPEL_TOKEN", "wrong"}}).code == 1);
    CHECK(run({"status", "--token", team_token}, {{"XDG_CONFIG_HOME", xdg}, {"OPEL_TOKEN", "wrong"}})
              .code == 0);
    // With no file, no environment and no flag: the default URL, no token.
    CHECK(run({"status"}, {{"OPEL_URL", url_of(d)}}).code == 1);
    CHECK(run({"status"}, {{"OPEL_URL", url_of(d)}, {"OPEL_TOKEN", team_token}}).code == 0);
}

TEST_CASE("a config file with an unknown key is a usage error naming file and line",
          "[opelctl]") {
    temp_dir home;
    std::filesystem::create_directories(home.path() / "opelctl");
    std::ofstream(home.path() / "opelctl" / "config.yaml") << "url: http://x\ntokne: t\n";
    const auto r = run({"status"}, {{"XDG_CONFIG_HOME", home.path().string()}});
    CHECK(r.code == 2);
    CHECK(r.err.find("config.yaml:2: unknown key tokne") != std::string::npos);
    const auto named = run({"status", "--config", (home.path() / "missing.yaml").string()});
    CHECK(named.code == 2);
}

TEST_CASE("global options are accepted before the command too", "[opelctl]") {
    test_daemon d;
    const auto r = run({"--url", url_of(d), "--token", team_token, "status", "--json"});
    CHECK(r.code == 0);
}

// --- alerts, silences ------------------------------------------------------

namespace {

/// The id of the open practice-level-4 alert for C82001, after reporting 4.
std::string level_4_alert(test_daemon& d) {
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82001","level":4})",
                            practice_token).status == 201);
    const auto r = run(at(d, team_token, {"alerts", "--json"}));
    INFO(r.out);
    REQUIRE(r.code == 0);
    const auto list = boost::json::parse(r.out);
    for (const auto& a : list.at("alerts").as_array())
        if (a.at("rule") == "practice-level-4")
            return boost::json::serialize(a.at("id"));
    FAIL("no practice-level-4 alert");
    return {};
}

} // namespace

TEST_CASE("alerts lists open alerts and ack acknowledges one", "[opelctl]") {
    test_daemon d;
    CHECK(run(at(d, team_token, {"alerts"})).out.find("no open alerts") != std::string::npos);
    const auto id = level_4_alert(d);
    auto r = run(at(d, team_token, {"alerts"}));
    CHECK(r.code == 0);
    CHECK(r.out.find("practice-level-4") != std::string::npos);
    CHECK(r.out.find("firing") != std::string::npos);
    r = run(at(d, control_token, {"ack", id, "--note", "ICB on call is phoning them"}));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("acknowledged") != std::string::npos);
    r = run(at(d, control_token, {"ack", "999999"}));
    CHECK(r.code == 1);
    CHECK(r.err.find("alert 999999 is not open") != std::string::npos);
    r = run(at(d, practice_token, {"alerts"}));
    CHECK(r.code == 1);
}

TEST_CASE("ack takes several ids, says when one was acknowledged already, refuses a bad id",
          "[opelctl]") {
    test_daemon d;
    const auto id = level_4_alert(d);
    // A bad id is a usage error, and nothing is acknowledged.
    auto r = run(at(d, control_token, {"ack", id, "12x"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("'12x' is not an alert id") != std::string::npos);
    CHECK(run(at(d, team_token, {"alerts"})).out.find("firing") != std::string::npos);
    r = run(at(d, control_token, {"ack", id, "--note", "phoning them"}));
    REQUIRE(r.code == 0);
    // Twice: said so, with who, and not an error.
    r = run(at(d, team_token, {"ack", id}));
    CHECK(r.code == 0);
    CHECK(r.out.find("already acknowledged by control room") != std::string::npos);
    // Several at once: each answered; one not open makes the exit 1.
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82002","level":4})",
                            other_practice_token).status == 201);
    const auto list = boost::json::parse(run(at(d, team_token, {"alerts", "--json"})).out);
    std::vector<std::string> ids;
    for (const auto& a : list.at("alerts").as_array())
        if (a.at("state") == "firing") ids.push_back(boost::json::serialize(a.at("id")));
    REQUIRE(ids.size() >= 1);
    auto args = std::vector<std::string>{"ack"};
    args.insert(args.end(), ids.begin(), ids.end());
    args.push_back("999999");
    r = run(at(d, control_token, args));
    CHECK(r.code == 1);
    CHECK(r.err.find("alert 999999 is not open") != std::string::npos);
    for (const auto& each : ids)
        CHECK(r.out.find("alert " + each + " acknowledged") != std::string::npos);
}

TEST_CASE("silence add, list and expire", "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"silence", "add", "--rule", "practice-level-3", "--scope",
                                    "practice", "--subject", "C82001", "--for", "2h",
                                    "--comment", "planned telephony work", "--json"}));
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto id = boost::json::serialize(boost::json::parse(r.out).at("id"));
    r = run(at(d, team_token, {"silence", "list"}));
    CHECK(r.code == 0);
    CHECK(r.out.find("planned telephony work") != std::string::npos);
    r = run(at(d, team_token, {"silence", "expire", id}));
    CHECK(r.code == 0);
    CHECK(run(at(d, team_token, {"silence", "list"})).out.find("no silences") != std::string::npos);
    CHECK(run(at(d, team_token, {"silence", "expire", id})).code == 1);
    CHECK(run(at(d, team_token, {"silence", "add", "--rule", "x", "--for", "2 hours",
                                 "--comment", "c"}))
              .code == 2);
}

TEST_CASE("support offer, list and move, and escalate", "[opelctl][support]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"support", "offer", "C82001", "locum_cover", "--note",
                                    "Tuesday and Wednesday", "--json"}));
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto id = boost::json::serialize(boost::json::parse(r.out).at("id"));
    r = run(at(d, team_token, {"support", "list"}));
    CHECK(r.out.find("locum_cover") != std::string::npos);
    CHECK(r.out.find("offered") != std::string::npos);
    r = run(at(d, practice_token, {"support", "move", id, "agreed"}));
    CHECK(r.code == 0);
    CHECK(r.out.find("C82001 locum_cover: agreed") != std::string::npos);
    r = run(at(d, team_token, {"support", "move", id, "declined"}));
    CHECK(r.code == 1);
    CHECK(r.err.find("409") != std::string::npos);
    CHECK(run(at(d, team_token, {"support", "move", id, "finished"})).code == 2);
    r = run(at(d, team_token, {"escalate", "--title", "GP at OPEL 3", "--message",
                               "ARI and Strep A", "--level", "3", "--theme", "ari", "--theme",
                               "strep_a"}));
    CHECK(r.code == 0);
    CHECK(r.out.find("sent to the system") != std::string::npos);
    CHECK(run(at(d, control_token, {"escalate", "--title", "t", "--message", "m", "--level",
                                    "3"}))
              .code == 1);
}

// --- tail ------------------------------------------------------------------

TEST_CASE("tail over SSE replays from --since-seq, then follows live", "[opelctl]") {
    test_daemon d;
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82001","level":1})",
                            practice_token).status == 201);
    child tail(at(d, team_token, {"tail", "--since-seq", "0", "--count", "2", "--topic",
                                  "status."}),
               {{"XDG_CONFIG_HOME", empty_config_home().path().string()}});
    REQUIRE(tail.wait_for_output("status.C82001"));
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82002","level":2})",
                            other_practice_token).status == 201);
    const auto r = tail.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    // One readable line per event: seq, time in the daemon's zone, topic, what happened.
    CHECK(r.out.find("  2026-11-25 10:00 GMT  status.C82002  C82002 reported OPEL 2 Moderate "
                     "pressure\n") != std::string::npos);
}

TEST_CASE("tail --json prints each Event once, in seq order, after --since-seq", "[opelctl]") {
    test_daemon d;
    for (const char* level : {"1", "2", "1"})
        REQUIRE(d.client().post("/v1/submissions",
                                std::string(R"({"practice":"C82001","level":)") + level + "}",
                                practice_token).status == 201);
    const auto r = run(at(d, team_token, {"tail", "--since-seq", "1", "--count", "2", "--json"}));
    REQUIRE(r.code == 0);
    std::istringstream lines(r.out);
    std::vector<std::int64_t> seqs;
    for (std::string line; std::getline(lines, line);)
        seqs.push_back(boost::json::parse(line).at("seq").as_int64());
    CHECK(seqs == std::vector<std::int64_t>{2, 3});
}

namespace {

/// A stand-in for GET /v1/stream that drops the connection after each
/// event, recording every request, so that tail's resume can be watched.
/// The second connection repeats event 1 before event 2 (with CRLF line
/// ends), as a server replaying too much would: tail must not print it twice.
class dropping_feed {
public:
    dropping_feed() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        thread_ = std::thread([this] { serve(); });
    }
    ~dropping_feed() {
        // Wakes a blocked accept() if the client never came.
        ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
        thread_.join();
    }
    std::string url() const {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }
    /// The requests received; read after the client has finished.
    std::vector<std::string> requests;

private:
    static std::string event(int seq, const char* eol) {
        const auto n = std::to_string(seq);
        return std::string(": keep-alive") + eol + "id: " + n + eol + "event: status.C82001" + eol +
               "data: {\"seq\":" + n + ",\"topic\":\"status.C82001\",\"data\":{}}" + eol + eol;
    }
    void serve() {
        const std::string head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                                 "Connection: close\r\n\r\n";
        for (const auto& body : {event(1, "\n"), event(1, "\r\n") + event(2, "\r\n")}) {
            boost::system::error_code ec;
            boost::asio::ip::tcp::socket s(ioc_);
            acceptor_.accept(s, ec);
            if (ec)
                return;
            std::string req;
            boost::asio::read_until(s, boost::asio::dynamic_buffer(req), "\r\n\r\n", ec);
            requests.push_back(req);
            boost::asio::write(s, boost::asio::buffer(head + body), ec);
            s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
        }
    }

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
};

} // namespace

TEST_CASE("tail resumes a dropped SSE feed with Last-Event-ID and shows no repeat",
          "[opelctl]") {
    dropping_feed feed;
    const auto r = run({"tail", "--url", feed.url(), "--count", "2", "--json"});
    INFO(r.err);
    CHECK(r.code == 0);
    std::istringstream lines(r.out);
    std::vector<std::int64_t> seqs;
    for (std::string line; std::getline(lines, line);)
        seqs.push_back(boost::json::parse(line).at("seq").as_int64());
    CHECK(seqs == std::vector<std::int64_t>{1, 2});
    REQUIRE(feed.requests.size() == 2);
    CHECK(feed.requests[0].find("Last-Event-ID") == std::string::npos);
    CHECK(feed.requests[1].find("Last-Event-ID: 1\r\n") != std::string::npos);
    CHECK(r.err.find("reconnecting") != std::string::npos);
}

TEST_CASE("tail exits 3 when the server cannot be reached at all", "[opelctl]") {
    closed_port port;
    CHECK(run({"tail", "--url", port.url()}).code == 3);
}

// --- ZeroMQ ----------------------------------------------------------------

TEST_CASE("submit over ZeroMQ is answered like HTTP, refusals exit 1", "[opelctl][zmq]") {
    test_daemon d;
    const auto endpoint = d.daemon().zmq_ingest_endpoint();
    auto r = run({"submit", "--zmq", endpoint, "--token", practice_token, "--practice", "C82001",
                  "--level", "3", "--theme", "workforce"});
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("C82001 at level 3") != std::string::npos);
    CHECK(stored_count(d) == 1);
    r = run({"submit", "--zmq", endpoint, "--token", practice_token, "--practice", "C82002",
             "--level", "3"});
    CHECK(r.code == 1);
    CHECK(r.err.find("403") != std::string::npos);
}

TEST_CASE("tail over ZeroMQ replays from /v1/events and fills gaps", "[opelctl][zmq]") {
    test_daemon d;
    auto c = d.client();
    REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":1})", practice_token)
                .status == 201);
    child tail(at(d, team_token, {"tail", "--zmq", d.daemon().zmq_publish_endpoint(),
                                  "--since-seq", "0", "--count", "4"}),
               {{"XDG_CONFIG_HOME", empty_config_home().path().string()}});
    REQUIRE(tail.wait_for_output("status.C82001"));
    // The SUB socket joins in its own time: keep reporting until the feed
    // has shown four events; the first live one fills any gap before it.
    for (int i = 0; i < 50 && !tail.wait_for_output("status.", 4, std::chrono::seconds(0)); ++i) {
        REQUIRE(c.post("/v1/submissions", R"({"practice":"C82001","level":2})", practice_token)
                    .status == 201);
        tail.wait_for_output("status.", 4, std::chrono::seconds(1));
    }
    const auto r = tail.finish();
    INFO(r.err);
    CHECK(r.code == 0);
    std::istringstream lines(r.out);
    std::int64_t expected = 1;
    for (std::string line; std::getline(lines, line); ++expected)
        CHECK(std::stoll(line) == expected);
}

// --- summary, report, import ----------------------------------------------

TEST_CASE("summary and report print text, or the server's json, csv and html", "[opelctl]") {
    test_daemon d;
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82001","level":3})",
                            practice_token).status == 201);
    auto r = run(at(d, team_token, {"summary", "--date", "2026-11-25"}));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("OPEL daily summary 2026-11-25") != std::string::npos);
    r = run(at(d, team_token, {"summary", "--date", "2026-11-25", "--format", "json"}));
    CHECK(r.code == 0);
    CHECK(boost::json::parse(r.out).at("date") == "2026-11-25");
    r = run(at(d, team_token, {"summary", "--date", "2026-11-25", "--format", "csv"}));
    CHECK(r.code == 0);
    r = run(at(d, team_token, {"report", "--month", "2026-11"}));
    CHECK(r.code == 0);
    CHECK(r.out.find("OPEL monthly report 2026-11: 1 responses") != std::string::npos);
    r = run(at(d, team_token, {"report", "--month", "2026-11", "--format", "json"}));
    CHECK(r.code == 0);
    CHECK(boost::json::parse(r.out).at("responses") == 1);
    CHECK(run(at(d, team_token, {"summary", "--publish"})).code == 1); // admin only
}

namespace {

/// Writes `text` to `name` in `dir` and returns the path.
std::string write_file(const temp_dir& dir, const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path) << text;
    return path.string();
}

} // namespace

TEST_CASE("import NDJSON in batches, rejected lines numbered as in the file", "[opelctl]") {
    test_daemon d;
    temp_dir dir;
    const auto file = write_file(
        dir, "history.ndjson",
        R"({"practice":"C82001","level":2,"reported_at":"2026-11-02T09:00:00Z"})"
        "\n\n"
        R"({"practice":"C82001","level":9,"reported_at":"2026-11-03T09:00:00Z"})"
        "\n"
        R"({"practice":"C82002","level":3,"reported_at":"2026-11-03T09:00:00Z"})"
        "\n"
        R"({"practice":"C82002","level":1,"reported_at":"2026-11-04T09:00:00Z"})"
        "\n");
    auto r = run(at(d, admin_token, {"import", file, "--batch", "2"}));
    CHECK(r.code == 1); // one line refused
    CHECK(r.out.find("imported 3, duplicates skipped 0, rejected 1") != std::string::npos);
    CHECK(r.err.find("history.ndjson:3:") != std::string::npos);
    CHECK(stored_count(d) == 3);
    r = run(at(d, team_token, {"import", file}));
    CHECK(r.code == 1);
    CHECK(r.err.find("403") != std::string::npos);
}

TEST_CASE("import CSV with quoting, themes and a bad row", "[opelctl]") {
    test_daemon d;
    temp_dir dir;
    const auto file = write_file(
        dir, "history.csv",
        "practice,level,themes,note,support_requested,reported_at\r\n"
        "C82001,3,workforce;telephony,\"two GPs off, \"\"sick\"\"\nsince Monday\",,"
        "2026-11-02T09:00:00Z\r\n"
        "C82002,x,,,,2026-11-02T09:00:00Z\r\n"
        "C82002,2,,,\r\n");
    const auto r = run(at(d, admin_token, {"import", file, "--json"}));
    CHECK(r.code == 1);
    const auto v = boost::json::parse(r.out);
    CHECK(v.at("imported") == 1);
    const auto& rejected = v.at("rejected").as_array();
    REQUIRE(rejected.size() == 2);
    CHECK(rejected.at(0).at("line") == 4); // the first row spans lines 2 and 3
    CHECK(rejected.at(1).at("line") == 5);
    const auto list = d.client().get("/v1/submissions", admin_token).json();
    const auto& s = list.at("submissions").at(0);
    CHECK(s.at("note") == "two GPs off, \"sick\"\nsince Monday");
    CHECK(s.at("themes").as_array().size() == 2);
}

TEST_CASE("keys prints a CURVE key pair the daemon's key-file reader accepts", "[opelctl]") {
    const auto r = run({"keys"});
    REQUIRE(r.code == 0);
    const auto secret = opel::zmq::parse_secret_key(r.out);
    CHECK(secret.size() == 40);
    CHECK(r.out.find("public: ") == 0);
}

// --- history -----------------------------------------------------------------

TEST_CASE("status --history prints the system day by day, history CODE a practice's",
          "[opelctl]") {
    test_daemon d;
    REQUIRE(run(at(d, practice_token, {"submit", "--practice", "C82001", "--level", "3",
                                       "--note", "two GPs off sick"}))
                .code == 0);
    auto r = run(at(d, team_token, {"status", "--history", "--days", "3"}));
    INFO(r.err);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("DATE") != std::string::npos);
    CHECK(r.out.find("2026-11-23") != std::string::npos);
    CHECK(r.out.find("2026-11-25") != std::string::npos);
    CHECK(r.out.find("2026-11-22") == std::string::npos);
    r = run(at(d, practice_token, {"history", "C82001"}));
    INFO(r.err);
    REQUIRE(r.code == 0);
    const auto row = r.out.substr(r.out.find("2026-11-25"));
    CHECK(row.substr(0, row.find('\n')).find("3 Severe pressure") != std::string::npos);
    CHECK(row.substr(0, row.find('\n')).find("two GPs off sick") != std::string::npos);
    CHECK(run(at(d, practice_token, {"history", "C82002"})).code == 1);
    CHECK(run(at(d, team_token, {"history", "C82001", "--days", "0"})).code == 2);
    CHECK(run(at(d, team_token, {"status", "--history", "--days", "401"})).code == 2);
    r = run(at(d, team_token, {"history", "C82001", "--json"}));
    REQUIRE(r.code == 0);
    CHECK(boost::json::parse(r.out).at("practice") == "C82001");
}

// --- opelctl says what it means ---------------------------------------------

TEST_CASE("an unknown place or PCN in a status filter exits 2 with the closest known",
          "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"status", "--place", "cty"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown place 'cty'; did you mean: city?") != std::string::npos);
    CHECK(r.out.empty());
    r = run(at(d, team_token, {"status", "--pcn", "Larkspur Centrl PCN"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("did you mean: Larkspur Central PCN") != std::string::npos);
    r = run(at(d, team_token, {"status", "--place", "zzzzzzzz"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("known: city, county, rutland") != std::string::npos);
    CHECK(run(at(d, team_token, {"status", "--pcn", "Larkspur Central PCN"})).code == 0);
}

TEST_CASE("an unknown practice in history exits 2 with the closest codes", "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"history", "C8200l"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown practice 'C8200l'; did you mean: C82001 (Aldermere Surgery)") !=
          std::string::npos);
    // A name is matched too.
    r = run(at(d, team_token, {"history", "Aldermere"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("C82001 (Aldermere Surgery)") != std::string::npos);
}

TEST_CASE("a silence for an unknown rule or subject exits 2 and stores nothing", "[opelctl]") {
    test_daemon d;
    auto r = run(at(d, team_token, {"silence", "add", "--rule", "practice-levl-3", "--for", "2h",
                                    "--comment", "c"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown rule 'practice-levl-3'; did you mean: practice-level-3") !=
          std::string::npos);
    r = run(at(d, team_token, {"silence", "add", "--scope", "pcn", "--subject", "Larkspur",
                               "--for", "2h", "--comment", "c"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("unknown PCN 'Larkspur'; did you mean: Larkspur") != std::string::npos);
    r = run(at(d, team_token, {"silence", "add", "--scope", "system", "--subject", "strepa",
                               "--for", "2h", "--comment", "c"}));
    CHECK(r.code == 2);
    CHECK(r.err.find("strep_a (Strep A)") != std::string::npos);
    CHECK(run(at(d, team_token, {"silence", "list"})).out.find("no silences") != std::string::npos);
    // A theme's silence with its id is fine, and its end is shown in the daemon's zone.
    r = run(at(d, team_token, {"silence", "add", "--scope", "system", "--subject", "strep_a",
                               "--for", "2h", "--comment", "c"}));
    CHECK(r.code == 0);
    CHECK(r.out.find(" GMT") != std::string::npos);
}

TEST_CASE("import says how many duplicates it skipped", "[opelctl]") {
    test_daemon d;
    temp_dir dir;
    const auto file = write_file(
        dir, "history.ndjson",
        R"({"practice":"C82001","level":2,"reported_at":"2026-11-02T09:00:00Z"})"
        "\n"
        R"({"practice":"C82002","level":3,"reported_at":"2026-11-03T09:00:00Z"})"
        "\n");
    REQUIRE(run(at(d, admin_token, {"import", file})).code == 0);
    auto r = run(at(d, admin_token, {"import", file}));
    CHECK(r.code == 0);
    CHECK(r.out.find("imported 0, duplicates skipped 2, rejected 0") != std::string::npos);
    r = run(at(d, admin_token, {"import", file, "--json"}));
    CHECK(boost::json::parse(r.out).at("duplicates") == 2);
    CHECK(stored_count(d) == 2);
}

TEST_CASE("tail --format json for machines, and a --since-seq beyond the last event is said",
          "[opelctl]") {
    test_daemon d;
    REQUIRE(d.client().post("/v1/submissions", R"({"practice":"C82001","level":4})",
                            practice_token).status == 201);
    auto r = run(at(d, team_token, {"tail", "--since-seq", "0", "--count", "2", "--format",
                                    "json"}));
    REQUIRE(r.code == 0);
    std::istringstream lines(r.out);
    for (std::string line; std::getline(lines, line);)
        CHECK(boost::json::parse(line).at("seq").is_int64());
    r = run(at(d, team_token, {"tail", "--since-seq", "0", "--count", "2"}));
    REQUIRE(r.code == 0);
    CHECK(r.out.find("alert.L4.practice.C82001  alert 1 firing, OPEL 4 Extreme pressure: ") !=
          std::string::npos);
    CHECK(r.err.find("beyond") == std::string::npos);
    child tail(at(d, team_token, {"tail", "--since-seq", "500", "--count", "1"}),
               {{"XDG_CONFIG_HOME", empty_config_home().path().string()}});
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (tail.so_far().err.find("beyond the last event") == std::string::npos &&
           std::chrono::steady_clock::now() < deadline)
        tail.wait_for_output("never printed", 1, std::chrono::seconds(1));
    CHECK(tail.so_far().err.find("--since-seq 500 is beyond the last event") != std::string::npos);
}

TEST_CASE("rules test reads CSV history as import does, with the file's line numbers",
          "[opelctl]") {
    temp_dir dir;
    const auto file = write_file(
        dir, "history.csv",
        "practice,level,themes,note,support_requested,reported_at\n"
        "C82001,4,workforce,\"two GPs off,\nboth sick\",,2026-11-30T10:00:00Z\n"
        "C82002,9,,,,2026-11-30T10:05:00Z\n"
        "C82002,3,,,\n");
    const std::string src = OPEL_SOURCE_DIR;
    const auto r = run({"rules", "test", "--rules", src + "/rules/llr.yaml", "--history", file,
                        "--practices", src + "/tests/data/rules/practices.yaml"});
    INFO(r.out << r.err);
    CHECK(r.code == 2); // two rows refused, the rest replayed
    CHECK(r.out.find("L4 practice C82001") != std::string::npos);
    CHECK(r.err.find("history.csv:5: ") != std::string::npos); // a row short of fields
    CHECK(r.out.find("history.csv:4") != std::string::npos);   // level 9, refused by the replay
}

TEST_CASE("rules test --per-day prints the noise table counted as it replays", "[opelctl]") {
    const std::string src = OPEL_SOURCE_DIR;
    const auto base = std::vector<std::string>{
        "rules", "test", "--rules", src + "/rules/llr.yaml", "--history",
        src + "/tests/data/rules/history.ndjson", "--practices",
        src + "/tests/data/rules/practices.yaml", "--per-day"};
    auto r = run(base);
    INFO(r.out << r.err);
    CHECK(r.code == 2); // the fixture's line 4 is refused
    CHECK(r.out.rfind("date        audience            raised  inhibited  notified\n", 0) == 0);
    CHECK(r.out.find("primary_care_team") != std::string::npos);
    CHECK(r.out.find("7 reports replayed") != std::string::npos);
    auto json_args = base;
    json_args.insert(json_args.end(), {"--format", "json"});
    r = run(json_args);
    const auto v = boost::json::parse(r.out).as_object();
    CHECK(v.at("reports").as_int64() == 7);
    REQUIRE_FALSE(v.at("per_day").as_array().empty());
    CHECK(v.at("per_day").as_array()[0].as_object().at("date").as_string() == "2026-11-30");
}

TEST_CASE("audit shows who did what, for admin only", "[opelctl]") {
    test_daemon d;
    const auto id = level_4_alert(d);
    REQUIRE(run(at(d, control_token, {"ack", id, "--note", "phoning them"})).code == 0);
    auto r = run(at(d, admin_token, {"audit"}));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("ACTION") != std::string::npos);
    CHECK(r.out.find("alert.ack") != std::string::npos);
    CHECK(r.out.find(" GMT") != std::string::npos);
    r = run(at(d, admin_token, {"audit", "--json", "--limit", "1"}));
    CHECK(r.code == 0);
    CHECK(boost::json::parse(r.out).at("entries").as_array().size() == 1);
    CHECK(run(at(d, team_token, {"audit"})).code == 1);
    CHECK(run(at(d, admin_token, {"audit", "--since", "yesterday"})).code == 2);
}

TEST_CASE("subscribers list shows each one, subscribers test sends a test message",
          "[opelctl]") {
    namespace ws = opel::test::webhook_support;
    ws::receiver ok, down({}, 503);
    test_daemon d(ws::with_subscribers(ws::subscriber("team hook", ok.url(), "primary_care_team") +
                                       ws::subscriber("down", down.url(), "control_room")));
    auto r = run(at(d, team_token, {"subscribers", "list"}));
    INFO(r.err);
    CHECK(r.code == 0);
    CHECK(r.out.find("KIND") != std::string::npos);
    CHECK(r.out.find("team hook") != std::string::npos);
    CHECK(r.out.find("webhook") != std::string::npos);
    r = run(at(d, admin_token, {"subscribers", "test", "team hook"}));
    CHECK(r.code == 0);
    CHECK(r.out == "test message delivered to team hook\n");
    REQUIRE(ok.wait_for(1));
    r = run(at(d, admin_token, {"subscribers", "test", "down"}));
    CHECK(r.code == 1);
    CHECK(r.out.find("test message to down failed: HTTP 503") == 0);
    CHECK(run(at(d, admin_token, {"subscribers", "test", "nobody"})).code == 1);
    CHECK(run(at(d, team_token, {"subscribers", "test", "team hook"})).code == 1);
    CHECK(ok.requests().size() == 1);
}

TEST_CASE("the man page lists every command", "[opelctl]") {
    const auto help = run({"--help"});
    REQUIRE(help.code == 0);
    std::ifstream in(std::string(OPEL_SOURCE_DIR) + "/man/opelctl.1");
    REQUIRE(in);
    const std::string man((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // CLI11 lists each subcommand as an indented line under "Subcommands:".
    std::istringstream lines(help.out.substr(help.out.find("Subcommands:")));
    std::string line;
    std::getline(lines, line);
    int commands = 0;
    while (std::getline(lines, line) && !line.empty() && line[0] == ' ') {
        const auto name = line.substr(line.find_first_not_of(' '));
        const auto command = name.substr(0, name.find(' '));
        INFO(command);
        CHECK(man.find("\n.B " + command) != std::string::npos);
        ++commands;
    }
    CHECK(commands >= 14);
}
