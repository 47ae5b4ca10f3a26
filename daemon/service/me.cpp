// What a token's page needs to know about itself. The practice page takes
// its practice from here rather than asking for an ODS code, and shows the
// team's acknowledgement of its alert; every page shows times in the
// daemon's `timezone` and themes by the rules file's names.
#include "service/me.hpp"

#include "service/audit_trail.hpp"
#include "store/queries.hpp"

#include <cstdio>

namespace opel::service {

namespace {

/// The practice's open alerts that are its voice, in the fields its page shows.
boost::json::array practice_alerts(store::sqlite::db& db, const std::string& code) {
    boost::json::array out;
    for (const auto& row : store::open_alert_rows_about(db, "practice", code)) {
        boost::system::error_code ec;
        auto v = boost::json::parse(row, ec);
        if (ec || !v.is_object()) continue;
        const auto& a = v.as_object();
        if (const auto* by = a.if_contains("inhibited_by"); by && !by->is_null()) continue;
        boost::json::object o;
        for (const auto* key : {"id", "level", "title", "state", "created_at", "updated_at",
                                "acknowledged_by", "note"})
            o[key] = a.contains(key) ? a.at(key) : boost::json::value(nullptr);
        out.push_back(std::move(o));
    }
    return out;
}

} // namespace

boost::json::object me(store::sqlite::db& db, const deployment& d, const principal& who) {
    const auto& cfg = *d.cfg;
    boost::json::value practice = nullptr;
    boost::json::array alerts;
    if (const auto* p = who.role == core::role::practice ? d.find_practice(who.practice) : nullptr) {
        practice = {{"code", p->code}, {"name", p->name}, {"pcn", p->pcn}, {"place", p->place}};
        alerts = practice_alerts(db, p->code);
    }
    boost::json::array themes;
    for (const auto& id : cfg.rules->themes)
        themes.push_back({{"id", id}, {"name", cfg.rules->theme_name(id)}});
    // Rule names: what a silence may name, so a client can refuse a typo.
    boost::json::array rules;
    for (const auto& r : cfg.rules->rules)
        rules.push_back(boost::json::string(r.name));
    const auto at = cfg.summary.at.count();
    char hhmm[8];
    std::snprintf(hhmm, sizeof hhmm, "%02d:%02d", static_cast<int>(at / 60 % 100),
                  static_cast<int>(at % 60));
    return {{"name", who.name},
            {"role", role_name(who.role)},
            {"practice", std::move(practice)},
            {"timezone", cfg.timezone},
            {"summary_at", hhmm},
            {"themes", std::move(themes)},
            {"rules", std::move(rules)},
            {"alerts", std::move(alerts)}};
}

} // namespace opel::service
