#pragma once
// The dashboard's static files, embedded in the binary at build time from
// clients/dashboard/ (cmake/embed_assets.cmake).

#include <span>
#include <string_view>

namespace opel::http {

/// One embedded file: its path below the dashboard root ("/index.html") and bytes.
struct asset {
    std::string_view path;
    std::string_view bytes;
};

/// Every embedded file.
std::span<const asset> assets();

} // namespace opel::http
