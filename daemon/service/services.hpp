#pragma once
// The bundle of services the transports call, so a handler gets one reference
// instead of seven. The app owns every member; this only points at them.

#include "core/clock.hpp"
#include "service/deployment.hpp"
#include "service/gatekeeper.hpp"
#include "service/ingest.hpp"
#include "service/metrics.hpp"
#include "service/practice_state.hpp"
#include "store/store.hpp"

#include <boost/asio/any_io_executor.hpp>

#include <functional>
#include <memory>

namespace opel::service {

class alerting;

/// What request handlers work with. Used on the io thread only. Each field is
/// named for its type.
struct services {
    boost::asio::any_io_executor executor; ///< the io thread's
    service::gatekeeper& gatekeeper;
    service::ingest& ingest;
    practice_state& state;
    store::store& store;
    service::metrics& metrics;
    const core::clock& clock;
    service::alerting& alerting;
    /// The deployment in force (swapped on reload).
    std::shared_ptr<const service::deployment> deployment;
};

} // namespace opel::service
