#pragma once
// A practice's note as a sentence quotes it: without its final full stops
// and spaces, so "Note: {note}." never reads "..". The rules engine fills
// {note} with it; a digest row compares it with the alert's message to tell
// the note once.

#include <string_view>

namespace opel::core {

/// `note` without its trailing '.' and ' ' (empty when that is all it has).
inline std::string_view note_as_quoted(std::string_view note) {
    while (!note.empty() && (note.back() == '.' || note.back() == ' '))
        note.remove_suffix(1);
    return note;
}

} // namespace opel::core
