// Support and escalation use cases. Who may do what is decided here (and, for
// a move, by core::judge_move), not in the transports, so HTTP and opelctl
// can never disagree; references (practice, action, themes) are checked
// against the deployment in force when the job runs.
#include "service/support_desk.hpp"

#include "service/alerting.hpp"
#include "service/audit_trail.hpp"
#include "store/support.hpp"
#include "webhook/outbox.hpp"

#include <boost/json.hpp>

namespace opel::service {

namespace {

bool is_team(const principal& who) {
    return who.role == core::role::team || who.role == core::role::admin;
}

core::error forbidden(const std::string& what) {
    return {403, "forbidden", "Only the primary care team (a team or admin token) may " + what +
                                  ".", ""};
}

std::string moves_from(core::support_state s) {
    using enum core::support_state;
    switch (s) {
    case offered:
        return "an offered item can become agreed or declined";
    case agreed:
        return "an agreed item can become in_place or ended";
    case in_place:
        return "an item in place can only become ended";
    case declined:
    case ended:
        break;
    }
    return std::string("a ") + core::state_name(s) + " item is closed and cannot change";
}

} // namespace

outcome<core::support_item> support_desk::offer(store::transaction& tx, const deployment& d,
                                                 const principal& who, const std::string& practice,
                                                 const core::support_offer& o) {
    if (!is_team(who))
        return forbidden("offer support");
    if (!d.find_practice(practice))
        return core::error{404, "unknown_practice",
                           "There is no practice " + practice + " in the practices file.", ""};
    if (!d.cfg->rules->find_action(o.action))
        return core::error{422, "unknown_action",
                           "'" + o.action + "' is not one of the rules file's support_actions.",
                           "action"};
    core::support_item s;
    s.practice = practice;
    s.action = o.action;
    s.note = o.note;
    s.by = who.name;
    s.created_at = s.updated_at = tx.now();
    s.alert = store::open_alert_of(tx.db(), practice);
    s.history.push_back({core::support_state::offered, who.name, role_name(who.role), tx.now(),
                         o.note});
    s.id = store::insert_support(tx, s);
    tx.append_event("support." + practice, boost::json::serialize(core::to_json(s)));
    tell_engine(tx, practice);
    return s;
}

outcome<core::support_item> support_desk::move(store::transaction& tx, const principal& who,
                                               std::int64_t id, const core::support_move& m) {
    auto found = store::find_support(tx.db(), id);
    // A practice learns nothing of other practices' items, not even that they exist.
    if (!found || (who.role == core::role::practice && found->practice != who.practice))
        return core::error{404, "not_found", "There is no support item " + std::to_string(id) + ".",
                           ""};
    auto s = std::move(*found);
    const core::mover by{who.role, who.role == core::role::practice};
    switch (core::judge_move(s.state, m.to, by)) {
    case core::move_verdict::not_allowed:
        return core::error{409, "move_not_allowed",
                           std::string("Support item ") + std::to_string(id) + " is " +
                               core::state_name(s.state) + ": " + moves_from(s.state) + ".",
                           "state"};
    case core::move_verdict::forbidden:
        return core::error{403, "forbidden",
                           who.role == core::role::practice
                               ? "A practice may only answer an offer with agreed or declined."
                               : "This token's role may not change support items.",
                           "state"};
    case core::move_verdict::allowed:
        break;
    }
    s.state = m.to;
    if (!m.note.empty())
        s.note = m.note;
    s.updated_at = tx.now();
    s.history.push_back({m.to, who.name, role_name(who.role), tx.now(), m.note});
    store::update_support(tx, s);
    tx.append_event("support." + s.practice, boost::json::serialize(core::to_json(s)));
    tell_engine(tx, s.practice);
    return s;
}

void support_desk::tell_engine(store::transaction& tx, const std::string& practice) {
    // After the item's own event, so a resolution it causes follows it.
    const bool open = !store::list_support(tx.db(), {practice, true}).empty();
    alerts_.apply(tx, alerts_.engine().on_support(practice, open, tx.now()));
}

outcome<core::escalation> support_desk::escalate(store::transaction& tx, const deployment& d,
                                                 const principal& who, core::escalation e) {
    if (!is_team(who))
        return forbidden("escalate to the system");
    for (const auto& t : e.themes)
        if (!d.cfg->rules->has_theme(t))
            return core::error{422, "unknown_theme",
                               "'" + t + "' is not a theme declared in the rules file.", "themes"};
    for (const auto& p : e.practices)
        if (!d.find_practice(p))
            return core::error{422, "unknown_practice",
                               "There is no practice " + p + " in the practices file.",
                               "practices"};
    e.by = who.name;
    e.created_at = tx.now();
    e.id = store::insert_escalation(tx, e);
    const auto& ev = tx.append_event("escalation.system", boost::json::serialize(core::to_json(e)));
    webhook::record(tx, *d.cfg, ev);
    return e;
}

} // namespace opel::service
