#pragma once
// One webhook POST over a subscriber's kept connection (HTTP or HTTPS): open
// the connection if it is not open, write the request and read the answer,
// then report once. Beast, on the connection's executor; callbacks in the
// do_x / on_x style.

#include "webhook/connection.hpp"
#include "webhook/endpoint.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>

namespace opel::webhook {

/// How one POST ended: `ok` for a 2xx answer, else why not.
struct outcome {
    outcome() = default;
    outcome(bool ok_, std::string error_, int status_ = 0, std::string answer_ = {},
            bool final_ = false)
        : ok(ok_), error(std::move(error_)), status(status_), answer(std::move(answer_)),
          final(final_) {}
    bool ok = false;
    std::string error;  ///< "HTTP 503", "connect: Connection refused", ...
    int status = 0;     ///< the HTTP status when an answer came, else 0
    std::string answer; ///< the answer's body when it was not a 2xx
    bool final = false; ///< a failure that no retry can mend (a refused key or number)
};

/// One POST in flight; keep the shared_ptr to cancel it.
class exchange : public std::enable_shared_from_this<exchange> {
public:
    /// Reports the outcome of the POST, exactly once, on the executor.
    using report = std::function<void(outcome)>;

    /// A POST of `body` with the extra `headers` over `conn`, to its endpoint
    /// (`Content-Type: application/json` unless `headers` say otherwise).
    exchange(std::shared_ptr<connection> conn, std::string body,
             const std::map<std::string, std::string>& headers, report done);
    /// Starts it.
    void start();
    /// Ends it early; it reports an aborted outcome.
    void cancel();

private:
    void do_open();
    void on_open(std::string error);
    void do_write();
    void on_write(const boost::system::error_code& ec);
    void on_read(const boost::system::error_code& ec);
    void on_failed(const char* step, const boost::system::error_code& ec);
    void finish(outcome o, bool keep);

    std::shared_ptr<connection> conn_;
    connection::request req_;
    std::optional<connection::response_parser> parser_;
    report done_;
    bool reused_ = false;    ///< the request went over a connection kept from before
    bool cancelled_ = false;
};

} // namespace opel::webhook
