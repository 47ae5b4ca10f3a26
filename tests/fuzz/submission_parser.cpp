// Fuzz target: the strict submission parser every ingest path runs, for each
// ingest kind, then what runs on its result (reference checks, content hash),
// and the strict JSON layer on its own.
#include "fuzz_target.hpp"

#include "core/submission_parser.hpp"

#include <cstdlib>
#include <string_view>
#include <variant>

using namespace opel::core;

extern "C" int LLVMFuzzerInitialize(int*, char***) { return 0; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view body(reinterpret_cast<const char*>(data), size);
    for (auto kind : {ingest_kind::http, ingest_kind::zmq, ingest_kind::import}) {
        auto r = parse_submission(body, kind);
        if (auto* e = std::get_if<error>(&r)) {
            // Every refusal is a client error with a message.
            if (e->status < 400 || e->status > 499 || e->message.empty()) std::abort();
            continue;
        }
        const auto& s = std::get<parsed_submission>(r).value;
        // What the parser accepted must be valid text within its limits.
        if (s.level < 1 || s.level > 4) std::abort();
        if (s.note && (!is_valid_utf8(*s.note) || code_points(*s.note) > max_note_chars))
            std::abort();
        if (s.themes.size() > max_themes) std::abort();
        (void)check_references(
            s, [](std::string_view p) { return p == "C82001"; },
            [](std::string_view t) { return t == "staffing"; });
        if (content_hash(s).size() != 64) std::abort();
    }
    auto o = parse_json_object(body);
    if (auto* e = std::get_if<error>(&o); e && (e->status < 400 || e->status > 499)) std::abort();
    if (is_valid_utf8(body)) (void)code_points(body);
    return 0;
}
