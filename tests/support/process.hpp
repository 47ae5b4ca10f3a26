#pragma once
// Runs a built program as a child process for black-box tests: its stderr is
// read line by line (to learn the port it bound), and it can be signalled.

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace opel::test {

/// A child process with its stderr piped to us.
class child_process {
public:
    explicit child_process(std::vector<std::string> argv) {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0)
            throw std::runtime_error("pipe failed");
        pid_ = fork();
        if (pid_ == 0) {
            dup2(fds[1], 2);
            std::vector<char*> args;
            for (auto& a : argv)
                args.push_back(a.data());
            args.push_back(nullptr);
            execv(args[0], args.data());
            _exit(127);
        }
        close(fds[1]);
        err_ = fds[0];
    }
    ~child_process() {
        if (pid_ > 0 && !reaped_) {
            kill(pid_, SIGKILL);
            wait();
        }
        close(err_);
    }

    /// Reads stderr until a line containing `needle`; that line, or nullopt
    /// after `timeout` or at end of output.
    std::optional<std::string> wait_for_line(const std::string& needle,
                                             std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            for (auto nl = buf_.find('\n'); nl != std::string::npos; nl = buf_.find('\n')) {
                std::string line = buf_.substr(0, nl);
                buf_.erase(0, nl + 1);
                lines_ += line + "\n";
                if (line.find(needle) != std::string::npos)
                    return line;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            pollfd p{err_, POLLIN, 0};
            if (left.count() <= 0 || poll(&p, 1, static_cast<int>(left.count())) <= 0)
                return std::nullopt;
            char chunk[4096];
            const auto n = read(err_, chunk, sizeof chunk);
            if (n <= 0)
                return std::nullopt;
            buf_.append(chunk, static_cast<std::size_t>(n));
        }
    }

    /// The child's process id.
    pid_t pid() const { return pid_; }
    /// Sends `sig`.
    void signal(int sig) { kill(pid_, sig); }
    /// Waits for the child; its exit code, or 128 + signal.
    int wait() {
        int status = 0;
        waitpid(pid_, &status, 0);
        reaped_ = true;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    /// Everything read from stderr so far.
    const std::string& output() const { return lines_; }

private:
    pid_t pid_ = -1;
    int err_ = -1;
    bool reaped_ = false;
    std::string buf_;
    std::string lines_;
};

/// Runs `argv` to completion; {exit code, stderr}.
inline std::pair<int, std::string> run_to_end(std::vector<std::string> argv) {
    child_process p(std::move(argv));
    p.wait_for_line("\x01never", std::chrono::seconds(30));
    const int code = p.wait();
    return {code, p.output()};
}

} // namespace opel::test
