#pragma once
// Every failure the core reports to a user is a qs::Error: one readable line
// naming the file, the tensor and what was expected. The CLI prints what()
// and exits 2; the GUI shows it in a message and keeps its state.
#include <stdexcept>
#include <string>

namespace qs {

class Error : public std::runtime_error {
public:
  using std::runtime_error::runtime_error;
};

// Thrown when a long job sees its cancel flag; never shown to the user.
class Cancelled : public std::exception {
public:
  const char* what() const noexcept override { return "cancelled"; }
};

} // namespace qs
