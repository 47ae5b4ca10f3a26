#pragma once
// The dashboard's routes: GET /, GET /report and GET /static/{name}, answered
// from the files embedded in the binary (http/assets.hpp), never from disk.

#include "http/router.hpp"

#include <string_view>

namespace opel::http {

/// The Content-Type for a file name, by its extension; octet-stream when unknown.
std::string_view content_type_for(std::string_view name);

/// Registers GET / (index.html), GET /report (report.html) and GET /static/{}.
void add_static_routes(router& r);

} // namespace opel::http
