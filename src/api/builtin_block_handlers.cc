// The poll, survey and word_cloud handlers (api/unit_page_routes.h) over
// builtin_blocks::BuiltinBlockService.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "larch/api/unit_page_routes.h"
#include "larch/common/json.h"
#include "larch/http/error_mapping.h"

namespace larch::api {
namespace {

using builtin_blocks::BlockCall;
using builtin_blocks::BuiltinBlockService;
using http::Request;
using http::Response;
using nlohmann::json;

BlockCall ToCall(const BlockHandlerCall& call) {
  return BlockCall{call.user_id, call.staff, call.tree, call.block_index};
}

Response Reply(const BlockHandlerCall& call, const StatusOr<json>& reply) {
  if (!reply.ok()) return http::ErrorResponse(reply.status(), call.request->request_id());
  return Response::Json(200, *reply);
}

// XBlock.json_handler: the body is JSON whatever its Content-Type; a body
// that is not is 400 {"error": "Invalid JSON"} (an empty body reads as {}
// here, as the page posts get_results without one).
std::optional<json> JsonBody(const Request& request) {
  if (request.body().empty()) return json::object();
  StatusOr<json> parsed = ParseJson(request.body());
  if (!parsed.ok()) return std::nullopt;
  return *parsed;
}

Response InvalidJson() { return Response::Json(400, json{{"error", "Invalid JSON"}}); }

using JsonStep = StatusOr<json> (BuiltinBlockService::*)(const BlockCall&, const json&);
using ReadStep = StatusOr<json> (BuiltinBlockService::*)(const BlockCall&);

BlockHandler WithBody(BuiltinBlockService& blocks, JsonStep step) {
  return [&blocks, step](const BlockHandlerCall& call) {
    std::optional<json> body = JsonBody(*call.request);
    if (!body.has_value()) return InvalidJson();
    return Reply(call, (blocks.*step)(ToCall(call), *body));
  };
}

BlockHandler Read(BuiltinBlockService& blocks, ReadStep step) {
  return [&blocks, step](const BlockHandlerCall& call) {
    if (!JsonBody(*call.request).has_value()) return InvalidJson();
    return Reply(call, (blocks.*step)(ToCall(call)));
  };
}

std::vector<std::string> FormWords(const Request& request) {
  std::vector<std::string> words;
  for (const auto& [name, value] : request.FormValues()) {
    if (name == "student_words[]") words.push_back(value);
  }
  return words;
}

}  // namespace

void AddBuiltinBlockHandlers(BlockHandlers& handlers, BuiltinBlockService& blocks) {
  handlers.Add("poll", "vote", WithBody(blocks, &BuiltinBlockService::PollVote));
  handlers.Add("poll", "get_results", Read(blocks, &BuiltinBlockService::PollResults));
  handlers.Add("poll", "student_voted", Read(blocks, &BuiltinBlockService::StudentVoted));
  handlers.Add("survey", "vote", WithBody(blocks, &BuiltinBlockService::SurveyVote));
  handlers.Add("survey", "get_results", Read(blocks, &BuiltinBlockService::SurveyResults));
  handlers.Add("survey", "student_voted", Read(blocks, &BuiltinBlockService::StudentVoted));
  // word_cloud_block.py handle_ajax: dispatch in the suffix, words as the
  // student_words[] form fields.
  handlers.Add("word_cloud", "xmodule_handler", [&blocks](const BlockHandlerCall& call) {
    if (call.suffix == "submit") {
      return Reply(call, blocks.WordCloudSubmit(ToCall(call), FormWords(*call.request)));
    }
    if (call.suffix == "get_state") return Reply(call, blocks.WordCloudState(ToCall(call)));
    return Response::Json(200, json{{"status", "fail"}, {"error", "Unknown Command!"}});
  });
  // The XBlock version of the word cloud (json handlers).
  handlers.Add("word_cloud", "handle_submission", [&blocks](const BlockHandlerCall& call) {
    std::optional<json> body = JsonBody(*call.request);
    if (!body.has_value()) return InvalidJson();
    std::vector<std::string> words;
    if (body->is_object() && (*body)["student_words"].is_array()) {
      for (const json& word : (*body)["student_words"]) {
        if (word.is_string()) words.push_back(word.get<std::string>());
      }
    }
    return Reply(call, blocks.WordCloudSubmit(ToCall(call), words));
  });
  handlers.Add("word_cloud", "handle_get_state",
               Read(blocks, &BuiltinBlockService::WordCloudState));
}

}  // namespace larch::api
