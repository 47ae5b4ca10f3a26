#include "service/jobs.hpp"

#include <boost/asio/post.hpp>

#include <exception>
#include <memory>

namespace opel::service {

void answer(services& s, const done& on_done, reply r) {
    boost::asio::post(s.executor, [on_done, r = std::move(r)]() mutable { on_done(std::move(r)); });
}

void read_and_answer(services& s, done on_done, std::function<reply(store::sqlite::db&)> job) {
    s.store.read([&s, on_done = std::move(on_done), job = std::move(job)](store::sqlite::db& db) {
        reply r;
        try {
            r = job(db);
        } catch (const std::exception&) {
            r = error_reply(503, "store_unavailable", "The store could not be read; retry.");
        }
        answer(s, on_done, std::move(r));
    });
}

void write_and_answer(services& s, done on_done, std::function<reply(store::transaction&)> job,
                      std::function<void()> after_commit) {
    auto out = std::make_shared<reply>();
    const bool queued = s.store.write(
        [out, job = std::move(job)](store::transaction& tx) { *out = job(tx); },
        [&s, out, on_done, after_commit = std::move(after_commit)](bool ok) {
            if (!ok)
                return answer(s, on_done,
                              error_reply(503, "store_unavailable", "Nothing was saved; retry."));
            if (after_commit)
                after_commit();
            answer(s, on_done, std::move(*out));
        });
    if (!queued)
        on_done(error_reply(503, "overloaded", "The daemon is at capacity; retry shortly."));
}

} // namespace opel::service
