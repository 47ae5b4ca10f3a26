// The SSE wire format as the WHATWG spec defines it, reduced to what opeld
// sends: lines end in LF, CRLF or CR (a CRLF split across two reads must not
// count as two line ends), ':' starts a comment (keep-alives), a blank line
// dispatches the event when it has data, and `retry:` is ignored because
// tail keeps its own backoff.
#include "sse_parser.hpp"

namespace opel::ctl {

std::vector<sse_event> sse_parser::feed(std::string_view bytes) {
    std::vector<sse_event> out;
    for (const char c : bytes) {
        if (c == '\n' && after_cr_) {
            after_cr_ = false;
            continue;
        }
        after_cr_ = c == '\r';
        if (c == '\n' || c == '\r') {
            line(partial_, out);
            partial_.clear();
        } else {
            partial_ += c;
        }
    }
    return out;
}

void sse_parser::line(std::string_view text, std::vector<sse_event>& out) {
    if (text.empty()) {
        if (has_data_)
            out.push_back(std::move(current_));
        current_ = {};
        has_data_ = false;
        return;
    }
    if (text.front() == ':')
        return;
    const auto colon = text.find(':');
    const auto name = text.substr(0, colon);
    auto value = colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
    if (!value.empty() && value.front() == ' ')
        value.remove_prefix(1);
    if (name == "data") {
        if (has_data_)
            current_.data += '\n';
        current_.data += value;
        has_data_ = true;
    } else if (name == "id") {
        current_.id = value;
    } else if (name == "event") {
        current_.event = value;
    }
}

} // namespace opel::ctl
