// The port through which capa runs a course's Python (problem <script>s,
// customresponse check functions and <answer> code), in the shape of
// codejail's safe_exec(code, globals): the code runs with a JSON object as
// its globals, and the globals it leaves that are JSON-serialisable come
// back. The implementation (src/sandbox, wired in by app) isolates the code;
// capa only says what to run.
//
// Thread safety: implementations must allow concurrent Run calls.
#ifndef LARCH_CAPA_PYTHON_RUNNER_H_
#define LARCH_CAPA_PYTHON_RUNNER_H_

#include <string>

#include <nlohmann/json.hpp>

#include "larch/common/status.h"

namespace larch::capa {

struct PythonJob {
  std::string code;
  // A JSON object: the globals the code starts with.
  nlohmann::json globals = nlohmann::json::object();
  // The course's python_lib.zip on disk, put on sys.path; empty for none.
  std::string python_lib_zip;
};

class PythonRunner {
 public:
  virtual ~PythonRunner() = default;

  // Runs `job` and returns the JSON-serialisable globals it left (modules,
  // functions and __builtins__ are dropped, as codejail drops them).
  // Failures of that one job: kInvalidArgument for an exception the code
  // raised, with the traceback's last line ("NameError: name 'x' is not
  // defined"); kDeadlineExceeded when it ran past its CPU or wall-clock limit;
  // kResourceExhausted past its memory or output limit; kUnavailable when no
  // sandbox could be started; kInternal when the sandbox died otherwise.
  virtual StatusOr<nlohmann::json> Run(const PythonJob& job) = 0;
};

}  // namespace larch::capa

#endif  // LARCH_CAPA_PYTHON_RUNNER_H_
