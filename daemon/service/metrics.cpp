// Prometheus text format by hand: a handful of counters and one histogram do
// not earn a client library.
#include "service/metrics.hpp"

#include <malloc.h>

#include <sstream>

namespace opel::service {

void metrics::count_submission(int status, bool was_replayed) {
    switch (status) {
    case 201:
        ++(was_replayed ? replayed : accepted);
        break;
    case 401:
    case 403:
        ++unauthorised;
        break;
    case 409:
        ++conflict;
        break;
    case 429:
        ++limited;
        break;
    case 503:
        ++unavailable;
        break;
    default:
        ++invalid;
    }
}

namespace {

void counter(std::ostringstream& out, const char* name, const char* help, std::uint64_t v) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " counter\n"
        << name << ' ' << v << '\n';
}

void gauge(std::ostringstream& out, const char* name, const char* help, std::int64_t v) {
    out << "# HELP " << name << ' ' << help << "\n# TYPE " << name << " gauge\n"
        << name << ' ' << v << '\n';
}

void submissions(std::ostringstream& out, const metrics& m) {
    out << "# HELP opeld_submissions_total Submissions answered, by result.\n"
           "# TYPE opeld_submissions_total counter\n";
    const std::pair<const char*, std::uint64_t> rows[] = {
        {"accepted", m.accepted}, {"replayed", m.replayed},         {"invalid", m.invalid},
        {"unauthorised", m.unauthorised}, {"conflict", m.conflict}, {"rate_limited", m.limited},
        {"unavailable", m.unavailable}};
    for (const auto& [result, v] : rows)
        out << "opeld_submissions_total{result=\"" << result << "\"} " << v << '\n';
}

/// Bytes malloc has handed out and not had back, in every arena: what the
/// daemon's data takes, where RSS also counts memory freed but kept by the
/// allocator (the peer of a Go server's go_memstats_heap_inuse_bytes).
std::int64_t heap_in_use() {
    const auto m = mallinfo2();
    return static_cast<std::int64_t>(m.uordblks + m.hblkhd);
}

void commit_histogram(std::ostringstream& out, const store::store_metrics& s) {
    out << "# HELP opeld_store_commit_seconds Time from BEGIN to a durable COMMIT.\n"
           "# TYPE opeld_store_commit_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < s.bounds_us.size(); ++i) {
        cumulative += s.commit_latency[i];
        out << "opeld_store_commit_seconds_bucket{le=\"" << s.bounds_us[i] / 1e6 << "\"} "
            << cumulative << '\n';
    }
    cumulative += s.commit_latency[s.bounds_us.size()];
    out << "opeld_store_commit_seconds_bucket{le=\"+Inf\"} " << cumulative << '\n'
        << "opeld_store_commit_seconds_sum " << s.commit_latency_sum_us / 1e6 << '\n'
        << "opeld_store_commit_seconds_count " << cumulative << '\n';
}

} // namespace

std::string render_metrics(const metrics& m, const store::store_metrics& s) {
    std::ostringstream out;
    submissions(out, m);
    commit_histogram(out, s);
    counter(out, "opeld_store_commits_total", "Transactions committed.", s.commits);
    counter(out, "opeld_store_commit_failures_total", "Transactions that failed.",
            s.commit_failures);
    counter(out, "opeld_store_jobs_total", "Write jobs run.", s.jobs);
    gauge(out, "opeld_store_queue_depth", "Write jobs waiting for the writer.", s.queue_depth);
    gauge(out, "opeld_heap_inuse_bytes",
          "Heap in use: bytes allocated and not freed (RSS also counts freed memory the "
          "allocator keeps).",
          heap_in_use());
    gauge(out, "opeld_store_writable",
          "1 while the database accepts writes; 0 after a disk-full or read-only failure.",
          s.writable);
    counter(out, "opeld_store_storage_faults_total",
            "Transactions refused by the storage (disk full, read-only, I/O error).",
            s.storage_faults);
    counter(out, "opeld_store_wal_checkpoints_total",
            "WAL checkpoints completed by the writer (deferred ones not counted).",
            s.checkpoints);
    gauge(out, "opeld_store_wal_bytes", "Size of the WAL file after the last commit.",
          s.wal_bytes);
    gauge(out, "opeld_http_open_connections", "HTTP connections open.", m.open_connections);
    counter(out, "opeld_http_requests_total", "HTTP requests read.", m.http_requests);
    counter(out, "opeld_http_accept_failures_total",
            "Failed accepts (out of descriptors); each pauses accepting a while.",
            m.http_accept_failures);
    counter(out, "opeld_http_address_limited_total",
            "HTTP requests refused 429 by the per-address limit.", m.address_limited);
    counter(out, "opeld_auth_failures_total", "Calls refused 401 or 403.", m.auth_failures);
    counter(out, "opeld_events_published_total", "Events published.", m.events_published);
    gauge(out, "opeld_sse_clients", "Server-Sent Events clients connected.", m.sse_clients);
    m.webhooks.render(out);
    return out.str();
}

} // namespace opel::service
