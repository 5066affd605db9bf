// A capa problem as its XML defines it: the responses, their inputs with the
// ids Open edX gives them, and the maximum score (edx-platform
// xmodule/capa/capa_problem.py `_preprocess_problem`, responsetypes.py
// `LoncapaResponse.__init__`; olx_format.md sections 9.3, 9.4 and 10.1).
//
// Ids: responses are numbered from 1 in document order and the counter is
// bumped before a response's inputs are numbered, so response k is
// "{problem_id}_{k}" and its j-th input "{problem_id}_{k+1}_{j}"; the n-th
// <solution> is "{problem_id}_solution_{n}". Submissions arrive as
// input_<input id>, and learner state is keyed by input id.
//
// A problem whose XML breaks upstream's load rules (an input type a response
// does not allow, too many inputs, a missing required attribute, XML that
// does not parse or nests too deep) is kFailedPrecondition with upstream's
// message; its max score is 0, as ProblemBlock.max_score makes it. Only the
// registered response tags are responses: an unknown tag such as
// javascriptresponse is markup and scores nothing.
//
// Thread safety: a parsed Problem is immutable and may be shared by threads
// (pugixml documents are safe to read concurrently).
#ifndef LARCH_CAPA_PROBLEM_H_
#define LARCH_CAPA_PROBLEM_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <pugixml.hpp>

#include "larch/common/status.h"

namespace larch::capa {

inline constexpr int kMaxProblemDepth = 100;
inline constexpr std::size_t kMaxProblemBytes = 1 << 20;

struct Input {
  std::string id;   // "{problem_id}_{k+1}_{j}".
  std::string tag;  // textline, choicegroup, optioninput, ...
  int points = 1;   // int(points), default 1.
  pugi::xml_node node;
};

struct Response {
  std::string id;   // "{problem_id}_{k}".
  std::string tag;  // numericalresponse, ...
  std::vector<Input> inputs;
  pugi::xml_node node;

  int MaxScore() const;
};

struct Problem {
  std::string problem_id;
  std::vector<Response> responses;
  std::vector<std::string> solution_ids;
  // Python scripts (type loncapa/python, text/python or none), concatenated
  // in document order; empty when the problem has none.
  std::string python_script;
  std::shared_ptr<const pugi::xml_document> document;

  // Σ over responses of Σ over their inputs of points.
  int MaxScore() const;
  const Response* FindResponse(std::string_view id) const;
};

// Parses `xml` (the <problem> element, as the course store keeps it).
// `problem_id` is the usage key's html id (the url_name for course-v1 keys).
StatusOr<Problem> ParseProblem(std::string_view xml, std::string_view problem_id);

// True for the tags capa registers as responses.
bool IsResponseTag(std::string_view tag);

}  // namespace larch::capa

#endif  // LARCH_CAPA_PROBLEM_H_
