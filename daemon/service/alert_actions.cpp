#include "service/alert_actions.hpp"

#include "service/alerting.hpp"
#include "service/audit_trail.hpp"

#include <boost/json/object.hpp>

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
                    auto result = s.alerts.engine().acknowledge(id, by, note, tx.now());
                    if (auto* why = std::get_if<std::string>(&result))
                        return error_reply(404, "alert_not_open", *why);
                    const auto& changes = std::get<std::vector<rules::alert_change>>(result);
                    s.alerts.apply(tx, changes);
                    const auto* now = s.alerts.engine().find(id);
                    return json_reply(200, rules::to_json(now ? *now : changes.front().after));
                }));
}

} // namespace opel::service
