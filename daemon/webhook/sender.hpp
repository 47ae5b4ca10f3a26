#pragma once
// Sends the outbox: for each subscriber, its lowest pending delivery, one at
// a time, so each subscriber sees its events in seq order and a slow or dead
// one holds up nobody else. Lives on the io thread.

#include "config/config.hpp"
#include "core/clock.hpp"
#include "store/store.hpp"
#include "webhook/exchange.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace opel::webhook {

/// The webhook sender.
class sender {
public:
    /// A sender for `subscribers` on the io thread `ex`. Pending rows of
    /// subscribers no longer configured are marked failed at once (before
    /// the store starts, on its start-up connection).
    sender(boost::asio::any_io_executor ex, store::store& st, const core::clock& clock,
           std::vector<config::subscriber> subscribers);
    sender(const sender&) = delete;
    sender& operator=(const sender&) = delete;

    /// Sends what is due by the clock now; safe from any thread. `done`, if
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

private:
    struct row;
    struct round;
    struct lane {
        config::subscriber sub;
        bool busy = false;  ///< a read, a POST or its write is under way
        bool again = false; ///< a tick came while busy: look again when free
        std::vector<std::shared_ptr<round>> waiting; ///< ticks held until then
        std::shared_ptr<exchange> in_flight;
    };

    void apply_subscribers(std::vector<config::subscriber> subscribers);
    void check(const std::string& name, std::shared_ptr<round> r);
    void on_oldest(const std::string& name, std::optional<row> found, std::shared_ptr<round> r);
    void send(lane& l, row d);
    void on_sent(const std::string& name, const row& d, outcome o);
    void write(const std::string& name, std::function<void(store::transaction&)> job,
               std::shared_ptr<round> r);
    void release(const std::string& name);

    boost::asio::any_io_executor ex_;
    store::store& store_;
    const core::clock& clock_;
    std::map<std::string, lane> lanes_; ///< by subscriber name; io thread
    std::mt19937_64 rng_{std::random_device{}()};
    bool stopped_ = false;
};

} // namespace opel::webhook
