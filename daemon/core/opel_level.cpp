// The OPEL table (DOMAIN.md): names, colours and the support each level brings.
#include "core/opel_level.hpp"

#include <algorithm>
#include <array>

namespace opel::core {

namespace {
constexpr std::array<level_info, 4> table{{
    {1, "Low pressure", "green", "#2e7d32", "business as usual", "none"},
    {2, "Moderate pressure", "yellow", "#f9d71c",
     "busier than usual but coping; managing within resources", "none"},
    {3, "Severe pressure", "amber", "#f28c00",
     "struggling to cope; significant deterioration in performance and quality",
     "PCN-level support and/or federation / ICB support"},
    {4, "Extreme pressure", "red", "#c62828",
     "unable to cope, only urgent demand met; risk of service failure",
     "whole-system support, co-ordinated by the ICB"},
}};
} // namespace

const level_info& level_of(int level) {
    return table[static_cast<std::size_t>(std::clamp(level, 1, 4) - 1)];
}

} // namespace opel::core
