#pragma once
// "Run it in the store, then answer": the one way a use case reaches the
// store and gets its reply back to the transport's thread. A job that throws
// or a commit that fails answers 503, and a full write queue answers 503 at
// once, so no caller is ever left without an answer.

#include "service/reply.hpp"
#include "service/services.hpp"
#include "store/sqlite.hpp"
#include "store/store.hpp"

#include <functional>

namespace opel::service {

/// How an answer reaches its caller; called once, on the io thread.
using done = std::function<void(reply)>;

/// Posts `r` to `on_done` on the io thread (from a store thread).
void answer(services& s, const done& on_done, reply r);

/// Runs `job` on the reader thread and answers with its reply; a read that
/// throws (a damaged or missing table, an I/O error) answers 503.
void read_and_answer(services& s, done on_done, std::function<reply(store::sqlite::db&)> job);

/// Runs `job` on the writer thread and answers with its reply after the
/// commit, or 503 when the commit fails (nothing was saved) or the write
/// queue is full. `after_commit`, if given, runs on the writer thread once
/// the commit holds, before the answer is posted (to update what is kept in
/// memory beside the store, which must be thread-safe).
void write_and_answer(services& s, done on_done, std::function<reply(store::transaction&)> job,
                      std::function<void()> after_commit = {});

} // namespace opel::service
