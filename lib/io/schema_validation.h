// Validation of JSON against the case schema (io/schema.h); private to lib/io, since
// nlohmann::json is not part of the library's interface.
#pragma once

#include <firstray/io/schema.h>

#include <nlohmann/json.hpp>

#include <string>

namespace firstray::io::schema
{
/// Check @p value against @p key and everything below it: types, ranges, choices, list
/// lengths, unknown and missing keys, variants and one-of groups.
/// @param path names @p value in messages, e.g. "contact[0]" ("" for the whole case).
/// @throws InputError whose message starts with the path of the key at fault, e.g.
/// "contact[0].frictoin: unknown key (allowed here: ...)".
void validate(const nlohmann::ordered_json &value, const Key &key, const std::string &path);

/// @p path + "." + @p name, or @p name when @p path is empty.
std::string join(const std::string &path, const std::string &name);

/// A number as the help and messages print it: integers without a decimal point,
/// otherwise the shortest text that reads back as the same double ("1e-8", "0.3").
std::string number_text(double x);
} // namespace firstray::io::schema
