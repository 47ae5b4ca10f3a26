// The one Catch2 main shared by every test executable, and a listener that
// lets the test command prove every listed case ran: with OPEL_CASES_RUN_LOG
// set, each case that ends appends "<executable>: <case name>" to that file.
// ctest runs one case per entry through a name filter, and a name Catch2 or
// the discovery misreads (a ';', a leading '-') matches nothing and passes
// silently; scripts/test compares this log with the listed names.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace {

class run_log : public Catch::TestEventListenerBase {
public:
    using TestEventListenerBase::TestEventListenerBase;

    void testCaseEnded(const Catch::TestCaseStats& stats) override {
        const char* path = std::getenv("OPEL_CASES_RUN_LOG");
        if (path == nullptr || *path == '\0')
            return;
        std::error_code ec;
        const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec).filename().string();
        const std::string line = exe + ": " + stats.testInfo.name + "\n";
        // One write with O_APPEND: lines from parallel test processes never interleave.
        const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd < 0)
            return;
        [[maybe_unused]] const auto n = ::write(fd, line.data(), line.size());
        ::close(fd);
    }
};

} // namespace

CATCH_REGISTER_LISTENER(run_log)
