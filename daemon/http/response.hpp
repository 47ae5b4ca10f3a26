#pragma once
// The one place a service::reply becomes an HTTP response on the wire, for
// sessions and for event streams that answer before streaming.

#include "service/reply.hpp"

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <memory>

namespace opel::http {

/// A response as written to the wire.
using response = boost::beast::http::response<boost::beast::http::string_body>;

/// `r` as an HTTP/1.`version % 10` response, `Cache-Control: no-store`,
/// keeping the connection open or not, with its Content-Length set.
std::shared_ptr<response> make_response(service::reply r, unsigned version, bool keep_alive);

} // namespace opel::http
