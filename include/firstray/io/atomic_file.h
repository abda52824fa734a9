/// @file
/// Layer io: the one way firstray writes a file. The content goes to a temporary file
/// next to the target, is flushed to disk, then renamed over the target: a reader (or a
/// crash, or a full disk) never leaves half a file under the target's name, and the
/// earlier file stays intact when the write fails.
#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace firstray::io
{
/// Write @p path atomically with the text @p body writes into the stream (set to full
/// double precision: max_digits10). Not collective: call it on the rank that owns the
/// file.
/// @throws SolveError naming @p path when the temporary file cannot be created, written,
/// flushed or renamed (the temporary is removed, @p path keeps its earlier content).
void write_file_atomically(const std::string &path,
                           const std::function<void(std::ostream &)> &body);
} // namespace firstray::io
