// The Python example (clients/python/opel_feed.py) run by Debian's python3
// against a real daemon on port 0: it submits over ZeroMQ, follows the PUB
// feed and fills the gap before its first live event from /v1/events. The
// gap is made deterministic by starting it at --since-seq 0 after reports
// it never saw on the feed. The script ends itself (--count, --exit-after),
// so nothing here waits on time.
#include "support/test_daemon.hpp"

#include <cstdio>
#include <regex>
#include <sstream>
#include <sys/wait.h>
#include <vector>

using namespace opel::test;

namespace {

struct script_result {
    int code = -1;
    std::string out; // stdout and stderr together
};

/// Runs the example with `args` (plain words: no shell quoting needed).
script_result run_script(const std::string& args) {
    const std::string cmd = std::string("/usr/bin/python3 ") + OPEL_SOURCE_DIR +
                            "/clients/python/opel_feed.py " + args + " 2>&1";
    script_result r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    for (std::size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;)
        r.out.append(buf, n);
    const int status = pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string endpoints(test_daemon& d) {
    return "--url http://127.0.0.1:" + std::to_string(d.port()) +
           " --ingest " + d.daemon().zmq_ingest_endpoint() +
           " --publish " + d.daemon().zmq_publish_endpoint() + " --timeout 10 --exit-after 60";
}

} // namespace

TEST_CASE("the Python example submits over ZeroMQ and fills a seq gap from /v1/events",
          "[clients][python]") {
    test_daemon d;
    auto c = d.client();
    // Three reports the script never sees live: seq 1..3.
    for (const char* code : {"C82001", "C82002", "C82003"})
        REQUIRE(c.post("/v1/submissions",
                       std::string(R"({"practice":")") + code + R"(","level":1})", admin_token)
                    .status == 201);
    REQUIRE(c.get("/v1/events?since_seq=0", team_token).json().at("events").as_array().size() ==
            3);

    const auto r = run_script(endpoints(d) + " --token " + practice_token + " --read-token " +
                              team_token + " --practice C82001 --level 1 --theme workforce" +
                              " --since-seq 0 --count 4");
    INFO(r.out);
    REQUIRE(r.code == 0);
    CHECK(r.out.find("submitted: 201 submission 4 for C82001 at level 1") != std::string::npos);
    // Every event once, in seq order; the three before the script's own report
    // came from the replay, whichever way the gap was noticed.
    std::vector<std::int64_t> seqs;
    const std::regex line(R"(^seq (\d+) (\S+) (live|replayed): )");
    std::istringstream lines(r.out);
    for (std::string l; std::getline(lines, l);) {
        std::smatch m;
        if (!std::regex_search(l, m, line))
            continue;
        seqs.push_back(std::stoll(m[1]));
        if (seqs.size() <= 3)
            CHECK(m[3] == "replayed");
        CHECK(m[2].str().rfind("status.C8200", 0) == 0);
    }
    CHECK(seqs == std::vector<std::int64_t>{1, 2, 3, 4});
    CHECK(r.out.find("gap: seq 1..") != std::string::npos);
    CHECK(r.out.find("seq 4 status.C82001") != std::string::npos);
    // The report it sent is stored.
    const auto list = c.get("/v1/submissions?practice=C82001", team_token).json();
    CHECK(list.at("submissions").as_array().size() == 2);
}

TEST_CASE("the Python example says why a submission was refused and exits 1",
          "[clients][python]") {
    test_daemon d;
    const auto r = run_script(endpoints(d) + " --token no-such-token --count 1");
    INFO(r.out);
    CHECK(r.code == 1);
    CHECK(r.out.find("submission refused (401)") != std::string::npos);
}
