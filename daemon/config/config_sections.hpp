#pragma once
// The config file's sections, one parser each, and what they leave for the
// loader to check once every file is read (the practice each token names).

#include "config/config.hpp"
#include "config/yaml_reader.hpp"

#include <string>
#include <utility>
#include <vector>

namespace opel::config {

/// The config being built plus the lines that checks across files report at.
struct config_context {
    config& cfg;                  ///< the config being filled
    int email_line = 0; ///< the first subscriber of kind email, which needs `smtp:`
    std::vector<int> token_lines; ///< where each token names its practice (else the token's
                                  ///< line), parallel to cfg.tokens
    /// Each place a subscriber names, with the line of its list item: checked
    /// against the practices file once it is read.
    std::vector<std::pair<int, std::string>> place_lines;
};

/// The `http:` section.
void parse_http(yaml_reader& r, const entry& e, config_context& ctx);
/// The `zmq:` section, `curve:` included.
void parse_zmq(yaml_reader& r, const entry& e, config_context& ctx);
/// The `calendar:` section.
void parse_calendar(yaml_reader& r, const entry& e, config_context& ctx);
/// The `summary:` section.
void parse_summary(yaml_reader& r, const entry& e, config_context& ctx);
/// The `limits:` section.
void parse_limits(yaml_reader& r, const entry& e, config_context& ctx);
/// The `tokens:` list; practice codes are checked later against the practices.
void parse_tokens(yaml_reader& r, const entry& e, config_context& ctx);
/// The `subscribers:` list.
void parse_subscribers(yaml_reader& r, const entry& e, config_context& ctx);
/// The `smtp:` section.
void parse_smtp(yaml_reader& r, const entry& e, config_context& ctx);
/// `public_url`: the dashboard's address, for links in messages.
void read_public_url(yaml_reader& r, const entry& e, config_context& ctx);

} // namespace opel::config
