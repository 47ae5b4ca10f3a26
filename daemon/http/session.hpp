#pragma once
// One HTTP connection: reads a request under a deadline and size limits, hands
// it to the router, writes the answer, and keeps the connection alive or not.

#include "http/connection_manager.hpp"
#include "http/router.hpp"
#include "http/stream.hpp"

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/parser.hpp>

#include <memory>
#include <optional>

namespace opel::http {

class server;

/// A connection; owns itself through shared_from_this while I/O is pending.
class session : public connection, public std::enable_shared_from_this<session> {
public:
    /// `slot` is the connection's place in the server's count; `peer` the
    /// client's address.
    session(boost::asio::ip::tcp::socket&& socket, server& srv, connection_slot slot,
            std::string peer);
    ~session() override;

    /// Registers with the server and reads the first request.
    void start();
    /// Closes once the request in hand, if any, is answered.
    void stop() override;

private:
    void on_handshake(boost::beast::error_code ec);
    void do_read();
    void read_header();
    void on_header(boost::beast::error_code ec, std::size_t bytes);
    void on_read(boost::beast::error_code ec, std::size_t bytes);
    void on_reply(service::reply r);
    void on_write(bool keep_alive, boost::beast::error_code ec, std::size_t bytes);
    void send_error(int status, std::string code, std::string message);
    void do_close();

    any_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::optional<boost::beast::http::request_parser<boost::beast::http::string_body>> parser_;
    server& server_;
    connection_slot slot_;
    std::string peer_;
    route_options route_; ///< of the request being read
    bool busy_ = false;     ///< a request is being answered
    bool stopping_ = false;
    unsigned requests_ = 0; ///< answered on this connection
    unsigned version_ = 11;
    bool keep_alive_ = true;
    bool head_ = false;
    std::size_t body_limit_ = 0; ///< of the request being read
};

} // namespace opel::http
