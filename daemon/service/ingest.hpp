#pragma once
// The one submission path every transport shares: admit (the gatekeeper),
// parse, authorise, validate, then store durably and answer. HTTP and ZeroMQ
// call submit(); neither has a copy of any step.

#include "core/clock.hpp"
#include "core/submission_parser.hpp"
#include "service/deployment.hpp"
#include "service/gatekeeper.hpp"
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
           gatekeeper& gate, practice_state& state, metrics& m);

    /// Swaps in a new deployment (on reload): its practices and themes.
    void set_deployment(std::shared_ptr<const deployment> d);
    /// Sets the alert evaluator run inside each submission's transaction.
    void set_evaluator(alert_evaluator e) { evaluate_ = std::move(e); }

    /// Handles one submission; `on_done` is called exactly once, on the executor.
    void submit(submission_request req, done on_done);

private:
    std::optional<reply> authorise(const principal& who, const core::submission& s);
    void store_submission(core::submission s, done on_done);
    void finish(const done& on_done, reply r, bool replayed);

    boost::asio::any_io_executor ex_;
    store::store& store_;
    const core::clock& clock_;
    gatekeeper& gate_;
    practice_state& state_;
    metrics& metrics_;
    std::shared_ptr<const deployment> deployment_;
    alert_evaluator evaluate_;
};

} // namespace opel::service
