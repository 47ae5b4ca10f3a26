// Prometheus text for the webhook counters, in the style of the others in
// /metrics: one counter with subscriber and result labels, one histogram.
#include "webhook/metrics.hpp"

#include <algorithm>

namespace opel::webhook {

namespace {

/// A label value with the three characters the text format escapes.
std::string label(const std::string& v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\' || c == '"')
            out += '\\';
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out += c;
    }
    return out;
}

constexpr const char* result_names[] = {"delivered", "retried", "failed"};

} // namespace

void delivery_metrics::count(const std::string& subscriber, result r) {
    std::lock_guard lock(mu_);
    ++by_subscriber_[subscriber].results[static_cast<std::size_t>(r)];
}

void delivery_metrics::delivered(const std::string& subscriber,
                                 std::chrono::microseconds latency) {
    const double seconds = std::max<double>(0, static_cast<double>(latency.count()) / 1e6);
    const auto bucket = static_cast<std::size_t>(
        std::lower_bound(bounds.begin(), bounds.end(), seconds) - bounds.begin());
    std::lock_guard lock(mu_);
    auto& s = by_subscriber_[subscriber];
    ++s.results[static_cast<std::size_t>(result::delivered)];
    ++s.buckets[bucket];
    s.latency_sum += seconds;
}

void delivery_metrics::render(std::ostream& out) const {
    std::lock_guard lock(mu_);
    out << "# HELP opeld_webhook_deliveries_total Webhook delivery attempts, by subscriber and "
           "result (retried: failed and due again; failed: given up).\n"
           "# TYPE opeld_webhook_deliveries_total counter\n";
    for (const auto& [name, s] : by_subscriber_)
        for (std::size_t r = 0; r < s.results.size(); ++r)
            out << "opeld_webhook_deliveries_total{subscriber=\"" << label(name) << "\",result=\""
                << result_names[r] << "\"} " << s.results[r] << '\n';
    out << "# HELP opeld_webhook_delivery_seconds Time from an event to its 2xx answer.\n"
           "# TYPE opeld_webhook_delivery_seconds histogram\n";
    for (const auto& [name, s] : by_subscriber_) {
        const auto who = "subscriber=\"" + label(name) + "\"";
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < bounds.size(); ++i) {
            cumulative += s.buckets[i];
            out << "opeld_webhook_delivery_seconds_bucket{" << who << ",le=\"" << bounds[i]
                << "\"} " << cumulative << '\n';
        }
        cumulative += s.buckets[bounds.size()];
        out << "opeld_webhook_delivery_seconds_bucket{" << who << ",le=\"+Inf\"} " << cumulative
            << '\n'
            << "opeld_webhook_delivery_seconds_sum{" << who << "} " << s.latency_sum << '\n'
            << "opeld_webhook_delivery_seconds_count{" << who << "} " << cumulative << '\n';
    }
}

} // namespace opel::webhook
