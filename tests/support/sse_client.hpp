#pragma once
// A blocking Server-Sent Events reader for the tests: opens /v1/stream and
// hands back one event at a time, with a receive timeout so that a missing
// event fails the test instead of hanging it.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>

#include <sys/socket.h>

#include <istream>
#include <optional>
#include <string>

namespace opel::test {

/// One SSE event as received.
struct sse_event {
    std::int64_t id = 0;
    std::string event;
    std::string data;
};

/// A stream connection.
class sse_client {
public:
    sse_client(std::uint16_t port, const std::string& target, const std::string& token,
               const std::string& last_event_id = {}, int receive_buffer = 0)
        : socket_(ioc_) {
        socket_.open(boost::asio::ip::tcp::v4());
        if (receive_buffer > 0) // before connect, so the window is small from the start
            socket_.set_option(boost::asio::socket_base::receive_buffer_size(receive_buffer));
        socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
        timeval tv{5, 0};
        setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        std::string req = "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                          token + "\r\n";
        if (!last_event_id.empty())
            req += "Last-Event-ID: " + last_event_id + "\r\n";
        boost::asio::write(socket_, boost::asio::buffer(req + "\r\n"));
        boost::asio::read_until(socket_, buf_, "\r\n\r\n");
        std::istream in(&buf_);
        std::getline(in, status_line_);
        std::string line;
        while (std::getline(in, line) && line != "\r") {
        }
    }

    /// The response's status line.
    const std::string& status_line() const { return status_line_; }

    /// The next event (comments skipped); nullopt on timeout or close.
    std::optional<sse_event> next() {
        sse_event e;
        bool any = false;
        for (;;) {
            boost::system::error_code ec;
            boost::asio::read_until(socket_, buf_, "\n", ec);
            if (ec)
                return std::nullopt;
            std::istream in(&buf_);
            std::string line;
            std::getline(in, line);
            if (line.empty()) {
                if (any)
                    return e;
                continue;
            }
            if (line[0] == ':')
                continue;
            any = true;
            if (line.rfind("id: ", 0) == 0)
                e.id = std::stoll(line.substr(4));
            else if (line.rfind("event: ", 0) == 0)
                e.event = line.substr(7);
            else if (line.rfind("data: ", 0) == 0)
                e.data = line.substr(6);
        }
    }

    /// Reads until the server closes; true if it did before the timeout.
    bool closed_by_server() {
        boost::system::error_code ec;
        char b[4096];
        for (;;) {
            socket_.read_some(boost::asio::buffer(b), ec);
            if (ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset)
                return true;
            if (ec)
                return false;
        }
    }

private:
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::socket socket_;
    boost::asio::streambuf buf_;
    std::string status_line_;
};

} // namespace opel::test
