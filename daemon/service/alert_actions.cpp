#include "service/alert_actions.hpp"

#include "service/alerting.hpp"
#include "service/audit_trail.hpp"
#include "service/silence_names.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>

#include <variant>
#include <vector>

namespace opel::service {

void acknowledge(services& s, const principal& who, std::int64_t id, std::string note,
                 done on_done) {
    write_and_answer(
        s, std::move(on_done),
        audited(who, "alert.ack", std::to_string(id),
                [&s, id, by = who.name, note = std::move(note)](
                    store::transaction& tx, boost::json::object& detail) -> reply {
                    if (!note.empty())
                        detail["note"] = note;
                    auto result = s.alerting.engine().acknowledge(id, by, note, tx.now());
                    if (auto* why = std::get_if<std::string>(&result))
                        return error_reply(404, "alert_not_open", *why);
                    const auto& changes = std::get<std::vector<rules::alert_change>>(result);
                    s.alerting.apply(tx, changes);
                    const auto* now = s.alerting.engine().find(id);
                    return json_reply(200, rules::to_json(now ? *now : changes.front().after));
                }));
}

void add_silence(services& s, const principal& who, rules::silence silence, done on_done) {
    if (auto unknown = check_silence_names(silence, *s.deployment))
        return on_done(std::move(*unknown));
    write_and_answer(s, std::move(on_done), [&s, silence, who](store::transaction& tx) {
        auto [added, changes] = s.alerting.engine().add_silence(silence, tx.now());
        const auto json = rules::to_json(added);
        const auto data = boost::json::serialize(json);
        tx.put_silence(added.id, data, added.ends_at, false);
        s.alerting.apply(tx, std::move(changes));
        // The id is known only now, so the entry is recorded here by hand.
        record(tx, who, "silence.add", std::to_string(added.id), 201, json);
        return reply{201, data, "application/json", {}};
    });
}

void end_silence(services& s, const principal& who, std::int64_t id, done on_done) {
    write_and_answer(
        s, std::move(on_done),
        audited(who, "silence.end", std::to_string(id),
                [&s, id](store::transaction& tx, boost::json::object&) -> reply {
                    auto& engine = s.alerting.engine();
                    const auto list = engine.silences();
                    const auto it = std::find_if(list.begin(), list.end(),
                                                 [id](const rules::silence& x) { return x.id == id; });
                    if (it == list.end())
                        return error_reply(404, "not_found", "No silence " + std::to_string(id) +
                                                                 " is in force or to come.");
                    auto ended = *it;
                    ended.ends_at = tx.now();
                    s.alerting.apply(tx, engine.expire_silence(id, tx.now()));
                    const auto data = boost::json::serialize(rules::to_json(ended));
                    tx.put_silence(id, data, ended.ends_at, true);
                    return reply{200, data, "application/json", {}};
                }));
}

} // namespace opel::service
