#pragma once
// Sends the outbox: for each subscriber, its lowest pending delivery (a
// webhook; with `batch`, its lowest pending ones in one POST) or its pending
// rows as one digest (email, Teams, Slack, Notify),
// one at a time, so each subscriber sees its events in seq order and a slow
// or dead one holds up nobody else. Lives on the io thread.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/outbox.hpp"
#include "store/store.hpp"
#include "webhook/endpoint.hpp"
#include "webhook/exchange.hpp"
#include "webhook/health.hpp"
#include "webhook/lane.hpp"
#include "webhook/mailer.hpp"
#include "channel/render.hpp"
#include "webhook/metrics.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <variant>
#include <vector>

namespace opel::webhook {

/// What the people-facing kinds need besides their subscriber entry.
struct channel_settings {
    std::optional<config::smtp_config> smtp;
    /// The practices a digest names, shared with the configuration they came
    /// from (a copy cost 150 bytes a practice); null reads as none.
    std::shared_ptr<const std::vector<core::practice>> practices;
    std::string public_url;
    std::string timezone = "UTC";
    summary::theme_names themes; ///< what a mailed summary calls each theme
    summary::theme_names actions; ///< and each support action
};

/// The URL a subscriber's POSTs go to: its `url`, or Notify's SMS endpoint
/// under `base_url`; empty for email.
std::string target_url(const config::subscriber& s);

/// How many pending rows one digest takes at most; the rest go in the next.
inline constexpr std::size_t digest_limit = 500;

/// How many pending rows a webhook lane reads in one look at most: those
/// beyond its POST wait in memory for the next ones, so a lane behind a
/// burst reads the store once for this many deliveries, not once for each.
inline constexpr std::size_t read_ahead = 64;

/// The sender of every kind.
class sender {
public:
    /// Writer thread, inside the job that records an attempt's outcome.
    using health_hook = std::function<void(store::transaction&, const health&)>;

    /// A sender for `subscribers` on the io thread `ex`. Pending rows of
    /// subscribers no longer configured are marked failed at once (before
    /// the store starts, on its start-up connection).
    sender(boost::asio::any_io_executor ex, store::store& st, const core::clock& clock,
           std::vector<config::subscriber> subscribers, delivery_metrics& metrics);
    sender(const sender&) = delete;
    sender& operator=(const sender&) = delete;

    /// Sets the hook told, in the outcome's transaction, when a subscriber
    /// has failed for `failing_alert_after` (at each failed attempt from then
    /// on) and when a 2xx follows failures (or is the first since start, as
    /// an alert may be open from before). Before the store starts.
    void on_health(health_hook hook) { health_ = std::move(hook); }
    /// Sends what is due by the clock now; safe from any thread. Every
    /// `prune_every` of the clock it also deletes the failed deliveries past
    /// `keep_failed_for`. `done`, if
    /// given, runs once each subscriber's due delivery has been started or
    /// given up; a subscriber busy with a POST or its outcome is waited for
    /// (15 s at most), so a tick is a barrier behind what is already sent.
    void tick(std::function<void()> done = {});
    /// Swaps in the reloaded subscribers; safe from any thread. Pending rows
    /// of removed ones are marked failed "subscriber removed".
    void set_subscribers(std::vector<config::subscriber> subscribers);
    /// Cancels what is in flight and sends nothing more (io thread). Rows in
    /// flight stay pending and are sent again after a restart.
    void stop();
    /// Sets what the people-facing kinds need (the relay, the practices, the
    /// dashboard's address, the zone); safe from any thread.
    void set_channels(channel_settings settings);
    /// Sends subscriber `name` a test message now, outside the outbox, and
    /// reports how it went on the io thread; false when there is no such
    /// subscriber. Safe from any thread.
    void send_test(const std::string& name, std::function<void(bool found, outcome)> done);

private:
    struct round;
    using rounds = std::vector<std::shared_ptr<round>>;
    struct queued_mark;
    struct lane {
        config::subscriber sub;
        lane_status status; ///< the state machine (webhook/lane.hpp)
        rounds look_waiters; ///< ticks held until the look under way ends
        rounds next_waiters; ///< ticks that came while busy: held until the next look ends
        rounds mark_waiters; ///< ticks held until the delivered marks are written
        std::shared_ptr<exchange> in_flight;
        std::shared_ptr<connection> conn; ///< kept for the next POST; made at the first
        std::shared_ptr<boost::asio::ssl::context> tls; ///< https:// subscribers
        std::string tls_error;                           ///< why `tls` could not be made
        /// The last URL posted to, taken apart once rather than for every POST.
        std::string parsed_url;
        std::optional<std::variant<endpoint, std::string>> parsed;
        std::optional<core::time_point> failing_since; ///< first failure since the last 2xx
        bool unsure = true; ///< an admin alert may be open: the next 2xx reports recovery
        std::int64_t acked_seq = 0; ///< delivered up to here, the mark maybe not yet on disk
        std::int64_t last_sent = 0; ///< digest kinds: the last delivery, microseconds
        /// Webhooks: pending rows read with the last look beyond what it
        /// sent, lowest seq first, each above `acked_seq`. Only this lane
        /// changes its rows, so they stay as read until it sends them;
        /// anything but a 2xx (a failure, a give-up, a lost mark, a row not
        /// due) empties it and the next look reads the store.
        std::deque<store::outbox_row> ahead;
        /// The delivered mark queued and maybe not yet begun by the writer:
        /// the next 2xx extends it rather than queue another (reset when any
        /// other write of the lane is queued, which must come after it).
        std::shared_ptr<queued_mark> open_mark;
    };

    static void join(rounds& list, const std::shared_ptr<round>& r);
    static void let_go(const std::shared_ptr<round>& r);
    static void let_go(rounds& list);
    void apply_subscribers(std::vector<config::subscriber> subscribers);
    void derive_health(store::sqlite::db& db);
    void check(const std::string& name, const std::shared_ptr<round>& r);
    void look(const std::string& name);
    void step(const std::string& name, lane_event e);
    void on_pending(const std::string& name, std::vector<store::outbox_row> rows);
    void send(lane& l, std::vector<store::outbox_row> rows);
    void post(lane& l, const std::string& url, std::string body,
              const std::map<std::string, std::string>& headers, exchange::report done);
    void on_sent(const std::string& name, const std::vector<store::outbox_row>& rows, outcome o);
    void on_delivered(const std::string& name, const std::vector<store::outbox_row>& rows);
    void on_failed(const std::string& name, const std::vector<store::outbox_row>& rows,
                   std::string error, bool final);
    // Digest kinds (sender_digest.cpp).
    void look_digest(const std::string& name);
    using notes_by_id = std::map<std::int64_t, std::string>; ///< submission id -> note
    void on_batch(const std::string& name, std::vector<store::outbox_row> rows,
                  std::optional<std::int64_t> last_sent, notes_by_id notes);
    void send_digest(lane& l, std::vector<store::outbox_row> rows, bool summary,
                     const notes_by_id& notes);
    void deliver(lane& l, const std::string& text, std::shared_ptr<lane> probe,
                 exchange::report done);
    void notify_each(const std::string& name, std::shared_ptr<lane> probe, std::string text,
                     std::size_t i, exchange::report done);
    channel::message_context context_for(const config::subscriber& s) const;
    void record(const std::string& name, std::function<void(store::transaction&)> job);
    void written(const std::string& name, bool ok, int posts = 1);
    void prune();

    boost::asio::any_io_executor ex_;
    store::store& store_;
    const core::clock& clock_;
    std::map<std::string, lane> lanes_; ///< by subscriber name; io thread
    std::mt19937_64 rng_{std::random_device{}()};
    bool stopped_ = false;
    core::time_point next_prune_{}; ///< io thread
    delivery_metrics& metrics_;
    health_hook health_;
    channel_settings channels_;           ///< io thread
    const date::time_zone* tz_ = nullptr; ///< channels_.timezone; null: UTC
    std::unique_ptr<mailer> mailer_;      ///< made at the first mail
};

} // namespace opel::webhook
