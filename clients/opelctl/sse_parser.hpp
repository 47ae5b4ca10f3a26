#pragma once
// An incremental Server-Sent Events parser: feed it bytes as they arrive,
// get whole events back. Pure, so `tail` can be reasoned about apart from
// sockets.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace opel::ctl {

/// One dispatched event.
struct sse_event {
    std::string id;    ///< the `id:` field (the Event's seq); empty if none
    std::string event; ///< the `event:` field (the topic)
    std::string data;  ///< the `data:` lines joined by '\n'
};

/// Splits a byte stream into events.
class sse_parser {
public:
    /// Consumes `bytes`; returns the events they complete, in order.
    std::vector<sse_event> feed(std::string_view bytes);

private:
    void line(std::string_view text, std::vector<sse_event>& out);

    std::string partial_;
    sse_event current_;
    bool has_data_ = false;
    bool after_cr_ = false;
};

} // namespace opel::ctl
