#pragma once
// Reads a history file for `opelctl import` as NDJSON lines, whatever its
// format: NDJSON passes through, CSV (RFC 4180) is converted row by row.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <vector>

namespace opel::ctl {

/// The formats `import` reads.
enum class import_format { ndjson, csv };

/// One submission line to send, or a row refused before sending.
struct import_line {
    std::size_t file_line = 0; ///< where it starts in the file (1-based)
    std::string json;          ///< one JSON object; empty when `error` is set
    std::string error;         ///< why the row could not be converted
};

/// The format named by `name` ("csv", "ndjson", or empty: from the file's
/// extension, else from its first character); throws usage_error.
import_format pick_format(const std::string& name, const std::string& path, std::istream& in);

/// Yields a file's submissions one line at a time.
class import_source {
public:
    /// Reads `in`; for CSV reads the header row now (usage_error if bad).
    import_source(std::istream& in, import_format format);

    /// The next line, or nullopt at the end; throws usage_error on a CSV
    /// quote left open at the end of the file.
    std::optional<import_line> next();

    /// Bytes consumed so far, for a progress bar.
    std::uint64_t consumed() const { return consumed_; }

private:
    bool read_physical(std::string& line);
    bool read_record(std::vector<std::string>& fields, std::size_t& first_line);
    import_line convert(const std::vector<std::string>& fields, std::size_t line) const;

    std::istream& in_;
    import_format format_;
    std::size_t line_ = 0;
    std::uint64_t consumed_ = 0;
    std::vector<std::string> columns_;
};

} // namespace opel::ctl
