#pragma once
// A configuration or rules-file error, reported as `file:line: message`.

#include <string>

namespace opel::core {

/// One error found while loading a file.
struct diagnostic {
    std::string file;
    int line = 0; ///< 1-based; 0 when no line applies
    std::string message;

    /// `file:line: message` (or `file: message` with no line).
    std::string to_string() const {
        return line > 0 ? file + ":" + std::to_string(line) + ": " + message
                        : file + ": " + message;
    }
};

} // namespace opel::core
