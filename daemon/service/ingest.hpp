#pragma once
// The one submission path every transport shares: parse, authenticate,
// authorise, rate-limit, validate, then store durably and answer. HTTP and
// ZeroMQ call submit(); neither has a copy of any step.

#include "core/clock.hpp"
#include "core/rate_limiter.hpp"
#include "core/submission_parser.hpp"
#include "service/deployment.hpp"
#include "service/metrics.hpp"
#include "service/practice_state.hpp"
#include "service/reply.hpp"
#include "store/store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace opel::service {

/// One submission as a transport received it.
struct submission_request {
    std::string body;
    core::ingest_kind kind = core::ingest_kind::http;
    std::string bearer;                         ///< HTTP: from Authorization; ZeroMQ: empty
    std::optional<std::string> idempotency_key; ///< HTTP's Idempotency-Key header
    std::string peer;                           ///< the client's address, for limits and logs
    std::string path = "/v1/submissions";       ///< what was called, for the failed-auth log
};

/// Where a call came from, for the failed-auth log: never the token.
struct caller {
    std::string_view peer; ///< the client's address; empty when unknown (logged as "zmq")
    std::string_view path; ///< the request target (its query is not logged)
};

/// Raises and updates alerts for a stored submission inside its transaction;
/// returns the ids of the alerts it raised or updated.
using alert_evaluator =
    std::function<std::vector<std::int64_t>(store::transaction&, const core::submission&)>;

/// The submission pipeline. Lives on the io_context's thread; answers are
/// posted back to it.
class ingest {
public:
    /// Answers arrive through this, on the executor.
    using done = std::function<void(reply)>;

    ingest(boost::asio::any_io_executor ex, store::store& store, const core::clock& clock,
           practice_state& state, metrics& m);

    /// Swaps in a new deployment (on reload); also resets rate limits' config.
    void set_deployment(std::shared_ptr<const deployment> d);
    /// Sets the alert evaluator run inside each submission's transaction.
    void set_evaluator(alert_evaluator e) { evaluate_ = std::move(e); }

    /// Handles one submission; `on_done` is called exactly once, on the executor.
    void submit(submission_request req, done on_done);

    /// Authenticates and rate-limits a bearer token for any other call;
    /// an error reply when refused.
    std::variant<principal, reply> admit(std::string_view bearer, caller from = {});

    /// Logs a refused call (401 or 403): the address, the path and why, never
    /// the token; at most a burst of 20 lines then one a second, with a count
    /// of those left out, so a flood cannot fill the disk.
    void log_refusal(caller from, std::string_view reason);

private:
    std::optional<reply> authorise(const principal& who, const core::submission& s);
    std::optional<reply> limit(const principal& who);
    void store_submission(core::submission s, done on_done);
    void finish(const done& on_done, reply r, bool replayed);

    boost::asio::any_io_executor ex_;
    store::store& store_;
    const core::clock& clock_;
    practice_state& state_;
    metrics& metrics_;
    std::shared_ptr<const deployment> deployment_;
    core::rate_limiter limiter_{0, 0};
    core::rate_limiter refusal_log_limiter_{1, 20};
    std::uint64_t refusals_unlogged_ = 0;
    alert_evaluator evaluate_;
};

} // namespace opel::service
