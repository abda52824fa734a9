/// @file
/// Exception types shared by every layer of firstray.
///
/// Bad input (a case, a mesh, a parameter) raises InputError, which the Python
/// bindings turn into ValueError; a solve that fails raises SolveError, which
/// becomes RuntimeError. Messages always name the file, key, region or surface
/// at fault.
#pragma once

#include <stdexcept>
#include <string>

namespace firstray
{
/// Invalid user input: the message names the offending file, key or name.
class InputError : public std::invalid_argument
{
public:
  explicit InputError(const std::string &message)
    : std::invalid_argument(message)
  {}
};

/// A numerical solve that did not succeed: the message says what was tried.
class SolveError : public std::runtime_error
{
public:
  explicit SolveError(const std::string &message)
    : std::runtime_error(message)
  {}
};
} // namespace firstray
