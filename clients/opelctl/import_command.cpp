// `opelctl import FILE`: loads history (NDJSON or CSV) through POST
// /v1/import in batches, so a national-sized file neither sits in memory
// whole nor goes in one request. The server numbers rejected lines within
// each batch; they are mapped back to the file's own line numbers here. A
// batch the server finds too large (413) is split in half and resent, since
// the body limit is the server's to choose; re-sending is safe because the
// server never stores an identical line twice.
#include "commands.hpp"

#include "ctl_error.hpp"
#include "http_call.hpp"
#include "import_source.hpp"
#include "output.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>

namespace opel::ctl {

namespace {

struct import_args {
    std::string file;
    std::string format;
    std::size_t batch = 5000;
    bool json = false;
    bool quiet = false;
};

/// What the import has done so far.
struct tally {
    std::int64_t imported = 0;
    std::int64_t duplicates = 0; ///< lines the server already held, not stored again
    std::vector<std::pair<std::size_t, std::string>> rejected; ///< file line, why
};

void record_answer(const boost::json::value& v, const std::vector<import_line>& sent, tally& t) {
    const auto& imported = field(v, "imported");
    t.imported += imported.is_int64() ? imported.get_int64() : 0;
    const auto& duplicates = field(v, "duplicates");
    t.duplicates += duplicates.is_int64() ? duplicates.get_int64() : 0;
    const auto& rejected = field(v, "rejected");
    if (!rejected.is_array())
        return;
    for (const auto& r : rejected.get_array()) {
        const auto& line = field(r, "line");
        const auto n = line.is_int64() ? line.get_int64() : 0;
        const bool known = n >= 1 && static_cast<std::size_t>(n) <= sent.size();
        t.rejected.emplace_back(known ? sent[static_cast<std::size_t>(n - 1)].file_line : 0,
                                cell(field(r, "error")));
    }
}

void send_batch(http_call& call, const std::vector<import_line>& lines, tally& t) {
    if (lines.empty())
        return;
    std::string body;
    for (const auto& l : lines)
        body += l.json + "\n";
    const auto answer = call.request(boost::beast::http::verb::post, "/v1/import", body,
                                     "application/x-ndjson");
    if (answer.status == 413 && lines.size() > 1) {
        const auto half = lines.begin() + static_cast<std::ptrdiff_t>(lines.size() / 2);
        send_batch(call, {lines.begin(), half}, t);
        send_batch(call, {half, lines.end()}, t);
        return;
    }
    if (answer.status == 413) {
        t.rejected.emplace_back(lines.front().file_line, "the line is over the server's limit");
        return;
    }
    record_answer(json_or_throw(answer), lines, t);
}

/// send_batch, saying on a refusal how much had already been stored, since
/// earlier batches stay imported.
void send_or_explain(http_call& call, const std::vector<import_line>& lines, tally& t) {
    try {
        send_batch(call, lines, t);
    } catch (const refused_error&) {
        if (stderr_is_terminal())
            std::cerr << "\n";
        std::cerr << "opelctl: " << t.imported << " lines were imported before the refusal\n";
        throw;
    }
}

void show_progress(std::uint64_t done, std::uint64_t total, const tally& t) {
    const int width = 30;
    const auto share = total ? static_cast<double>(done) / static_cast<double>(total) : 1.0;
    const int filled = static_cast<int>(share * width);
    std::cerr << "\r[" << std::string(static_cast<std::size_t>(filled), '#')
              << std::string(static_cast<std::size_t>(width - filled), ' ') << "] "
              << static_cast<int>(share * 100) << "%  " << t.imported << " imported, "
              << t.duplicates << " duplicates, "
              << t.rejected.size() << " rejected" << std::flush;
}

void report(const import_args& a, const tally& t) {
    if (a.json) {
        boost::json::array rejected;
        for (const auto& [line, why] : t.rejected)
            rejected.push_back(boost::json::object{{"line", line}, {"error", why}});
        std::cout << boost::json::serialize(boost::json::object{{"imported", t.imported},
                                                                {"duplicates", t.duplicates},
                                                                {"rejected", std::move(rejected)}})
                  << "\n";
        return;
    }
    for (const auto& [line, why] : t.rejected)
        std::cerr << a.file << ":" << line << ": " << why << "\n";
    // Duplicates are not failures: a file sent twice (a retry after a
    // timeout) is stored once, and the count says that is what happened.
    std::cout << "imported " << t.imported << ", duplicates skipped " << t.duplicates
              << ", rejected " << t.rejected.size() << "\n";
}

int run_import(const import_args& a, const global_options& g) {
    std::ifstream in(a.file, std::ios::binary);
    if (!in)
        throw usage_error(a.file + ": cannot read the file");
    const auto total = std::filesystem::file_size(a.file);
    import_source source(in, pick_format(a.format, a.file, in));
    http_call call(resolve_connection(g));
    const bool progress = !a.quiet && stderr_is_terminal();
    tally t;
    std::vector<import_line> batch;
    for (auto line = source.next();; line = source.next()) {
        if (line && !line->error.empty())
            t.rejected.emplace_back(line->file_line, line->error);
        else if (line)
            batch.push_back(std::move(*line));
        if (batch.size() >= a.batch || (!line && !batch.empty())) {
            send_or_explain(call, batch, t);
            batch.clear();
            if (progress)
                show_progress(source.consumed(), total, t);
        }
        if (!line)
            break;
    }
    if (progress)
        std::cerr << "\n";
    // Rows refused here and lines refused by the server, in the file's order.
    std::stable_sort(t.rejected.begin(), t.rejected.end(),
                     [](const auto& x, const auto& y) { return x.first < y.first; });
    report(a, t);
    return t.rejected.empty() ? exit_ok : exit_refused;
}

} // namespace

void add_import_command(CLI::App& app, const global_options& g, int& exit_code) {
    auto a = std::make_shared<import_args>();
    auto* cmd = app.add_subcommand("import", "Load history (admin): NDJSON or CSV submissions "
                                             "with reported_at");
    cmd->add_option("file", a->file, "the history file")->required()->check(CLI::ExistingFile);
    cmd->add_option("--format", a->format, "ndjson or csv (default: from the file's name)")
        ->check(CLI::IsMember({"ndjson", "csv"}));
    cmd->add_option("--batch", a->batch, "lines per request (default: 5000)")
        ->check(CLI::Range(1, 100000));
    cmd->add_flag("--json", a->json,
                  "print {imported, duplicates, rejected: [{line, error}]} as JSON");
    cmd->add_flag("-q,--quiet", a->quiet, "no progress bar");
    cmd->callback([a, &g, &exit_code] {
        exit_code = guarded([&] { return run_import(*a, g); });
    });
}

} // namespace opel::ctl
