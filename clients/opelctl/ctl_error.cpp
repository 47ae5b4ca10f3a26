// The one place where a command's failure becomes a message on stderr and an
// exit code; commands throw, this catches, so the codes stay consistent.
#include "ctl_error.hpp"

#include <iostream>

namespace opel::ctl {

int guarded(const std::function<int()>& body) {
    try {
        return body();
    } catch (const usage_error& e) {
        std::cerr << "opelctl: " << e.what() << "\n";
        return exit_usage;
    } catch (const connect_error& e) {
        std::cerr << "opelctl: " << e.what() << "\n";
        return exit_unreachable;
    } catch (const refused_error& e) {
        std::cerr << "opelctl: " << e.what() << "\n";
        return exit_refused;
    } catch (const std::exception& e) {
        // Anything else (a malformed answer, a local I/O error) is a failure
        // of the request as a whole, which scripts read as "refused".
        std::cerr << "opelctl: " << e.what() << "\n";
        return exit_refused;
    }
}

} // namespace opel::ctl
