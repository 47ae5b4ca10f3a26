#pragma once
// A process out of file descriptors, for a test: the soft limit lowered to
// at most 256 and every descriptor below it taken, until give_back() (or
// the end of the scope) closes them and restores the limit.

#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace opel::test {

/// Every descriptor taken while it lives (or until give_back()).
class descriptors_taken {
public:
    descriptors_taken() {
        if (::getrlimit(RLIMIT_NOFILE, &old_) != 0)
            throw std::runtime_error("getrlimit failed");
        rlimit low = old_;
        low.rlim_cur = std::min<rlim_t>(old_.rlim_cur, 256);
        if (::setrlimit(RLIMIT_NOFILE, &low) != 0)
            throw std::runtime_error("setrlimit failed");
        for (int fd; (fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC)) >= 0;)
            taken_.push_back(fd);
    }
    ~descriptors_taken() { give_back(); }
    descriptors_taken(const descriptors_taken&) = delete;
    descriptors_taken& operator=(const descriptors_taken&) = delete;

    /// Closes what was taken and restores the limit; false if the limit
    /// could not be restored.
    bool give_back() {
        if (given_back_)
            return true;
        given_back_ = true;
        for (const int fd : taken_)
            ::close(fd);
        return ::setrlimit(RLIMIT_NOFILE, &old_) == 0;
    }
    /// How many were taken (none would mean the test proved nothing).
    std::size_t count() const { return taken_.size(); }

private:
    rlimit old_{};
    std::vector<int> taken_;
    bool given_back_ = false;
};

} // namespace opel::test
