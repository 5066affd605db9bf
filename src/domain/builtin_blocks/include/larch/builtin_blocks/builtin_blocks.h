// builtin_blocks: the small XBlocks the shared courses use besides html,
// video and problems, as their upstream code behaves:
//   - poll and survey (open-craft xblock-poll PollBlock and SurveyBlock):
//     the student_view context, the `vote`, `get_results` and
//     `student_voted` handlers, with upstream's JSON and messages;
//   - word_cloud (edx-platform xmodule/word_cloud_block.py): `submit` and
//     `get_state`, with upstream's JSON;
//   - annotatable (xmodule/annotatable_block.py): its body with the
//     <annotation> elements turned into highlighted spans and notes.
//
// Each learner's answer is their student_state row for the block (the
// user_state scope). Upstream keeps tallies in a shared user_state_summary
// field; here the tally is counted from every learner's row when it is
// read, so concurrent votes can never lose or double a count. This module
// owns no table.
//
// Thread safety: BuiltinBlockService is thread-safe (it keeps no state).
#ifndef LARCH_BUILTIN_BLOCKS_BUILTIN_BLOCKS_H_
#define LARCH_BUILTIN_BLOCKS_BUILTIN_BLOCKS_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/common/clock.h"
#include "larch/common/status.h"
#include "larch/courses/course_catalog.h"
#include "larch/storage/database.h"

namespace larch::builtin_blocks {

// One learner acting on one block (access already checked by the caller).
struct BlockCall {
  int64_t user_id = 0;
  // Course or global staff (may see private poll results).
  bool staff = false;
  std::shared_ptr<const courses::CourseTree> tree;
  int block_index = -1;
};

class BuiltinBlockService {
 public:
  // Both must outlive the service.
  BuiltinBlockService(storage::Database& db, const Clock& clock);

  // poll: the student_view context (question, answers [{key, label, img,
  // img_alt}], choice, can_vote, submissions_count, max_submissions,
  // private_results, feedback, and tally/total once the learner voted and
  // may see results). kInvalidArgument when the block is not a poll.
  StatusOr<nlohmann::json> PollView(const BlockCall& call);
  // PollBlock.vote with the JSON body {"choice": key}.
  StatusOr<nlohmann::json> PollVote(const BlockCall& call, const nlohmann::json& data);
  // PollBlock.get_results.
  StatusOr<nlohmann::json> PollResults(const BlockCall& call);

  // survey: as the poll ones; the vote body is {question key: answer key}.
  StatusOr<nlohmann::json> SurveyView(const BlockCall& call);
  StatusOr<nlohmann::json> SurveyVote(const BlockCall& call, const nlohmann::json& data);
  StatusOr<nlohmann::json> SurveyResults(const BlockCall& call);

  // poll and survey: student_voted ({"voted", "private_results"}).
  StatusOr<nlohmann::json> StudentVoted(const BlockCall& call);

  // word_cloud: get_state, and submit with the raw words (trimmed and
  // lower-cased, empty ones dropped, as upstream's good_word).
  StatusOr<nlohmann::json> WordCloudState(const BlockCall& call);
  StatusOr<nlohmann::json> WordCloudSubmit(const BlockCall& call,
                                           const std::vector<std::string>& words);
  // The word cloud's settings for its page (display_name, instructions,
  // num_inputs).
  static nlohmann::json WordCloudSettings(const courses::CatalogBlock& block);

 private:
  storage::Database& db_;
  const Clock& clock_;
};

// The annotatable body as HTML: each <annotation title= body= highlight=>
// becomes a highlighted <mark> followed by its note (title and body), the
// wrapper element becomes a <div>; <script> elements and on* attributes are
// dropped. Text that is not XML is returned escaped.
std::string AnnotatableHtml(std::string_view data);

}  // namespace larch::builtin_blocks

#endif  // LARCH_BUILTIN_BLOCKS_BUILTIN_BLOCKS_H_
