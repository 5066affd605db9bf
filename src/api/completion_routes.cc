#include "larch/api/completion_routes.h"

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api_internal.h"
#include "completion_internal.h"
#include "larch/api/account_routes.h"
#include "larch/common/json.h"
#include "larch/http/error_mapping.h"
#include "larch/keys/keys.h"

namespace larch::api {
namespace {

using completion::CompletionEntry;
using http::Request;
using http::Response;
using nlohmann::json;

constexpr char kNoCredentials[] = "Authentication credentials were not provided.";
constexpr char kNoPermission[] = "You do not have permission to perform this action.";

// XBlock's JsonHandlerError body.
Response HandlerError(int status, const std::string& message) {
  return Response::Json(status, json{{"error", message}});
}

// Python's repr of a str, as the ValueError of float() quotes it.
std::string PythonRepr(const std::string& text) {
  char quote =
      text.find('\'') != std::string::npos && text.find('"') == std::string::npos ? '"' : '\'';
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\\' || c == quote) out += '\\';
    out += c;
  }
  return out + quote;
}

// float(value) as the view applies it: numbers, booleans and numeric
// strings; a message as Python words it otherwise.
StatusOr<double> PythonFloat(const json& value) {
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    std::string text = value.get<std::string>();
    size_t begin = text.find_first_not_of(" \t\n\r\f\v");
    size_t end = text.find_last_not_of(" \t\n\r\f\v");
    if (begin != std::string::npos) {
      std::string trimmed = text.substr(begin, end - begin + 1);
      char* stop = nullptr;
      errno = 0;
      double parsed = std::strtod(trimmed.c_str(), &stop);
      bool hex = trimmed.find_first_of("xX") != std::string::npos;
      if (stop == trimmed.c_str() + trimmed.size() && !hex) return parsed;
    }
    return InvalidArgumentError("could not convert string to float: " + PythonRepr(text));
  }
  std::string type = value.is_null() ? "NoneType" : value.is_array() ? "list" : "dict";
  return InvalidArgumentError("float() argument must be a string or a real number, not '" + type +
                              "'");
}

// The handler's data: a JSON object body, else the form fields as strings.
json HandlerData(const Request& request) {
  StatusOr<json> body = ParseJson(request.body());
  if (body.ok() && body->is_object()) return *body;
  json data = json::object();
  for (const auto& [name, value] : request.FormValues()) {
    if (!data.contains(name)) data[name] = value;
  }
  return data;
}

class CompletionRoutes {
 public:
  explicit CompletionRoutes(CompletionRoutesContext& ctx) : ctx_(ctx) {}

  // CompletionBatchView.post.
  Response Batch(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    json data = json::object();
    if (!request.body().empty()) {
      StatusOr<json> parsed = ParseJson(request.body());
      if (!parsed.ok()) {
        return internal::Detail(400, "JSON parse error - " + parsed.status().message());
      }
      data = std::move(*parsed);
    }
    if (!data.is_object()) return internal::Detail(400, "Expected a JSON object.");
    // IsStaffOrOwner: staff, or the username of the body is the caller's.
    bool owner = data.contains("username") && data["username"].is_string() &&
                 data["username"].get<std::string>() == caller->username;
    if (!caller->is_staff && !owner) return internal::Detail(403, kNoPermission);
    for (const char* key : {"username", "course_key", "blocks"}) {
      if (!data.contains(key)) {
        return internal::Detail(400, std::string("Key '") + key + "' not found.");
      }
    }
    return Submit(request, data);
  }

  // GET /api/courseware/resume/{course_key}.
  Response Resume(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    std::string course_key(request.PathParam("course_key"));
    json body = {{"block_id", nullptr}, {"section_id", nullptr}, {"unit_id", nullptr}};
    StatusOr<std::optional<completion::BlockCompletion>> latest =
        ctx_.completion.Latest(caller->user_id, course_key);
    if (!latest.ok()) return http::ErrorResponse(latest.status(), request.request_id());
    if (!latest->has_value()) return Response::Json(200, body);
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return Response::Json(200, body);
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    // path_to_location: course, chapter, sequential, vertical, ...
    std::vector<int> path;
    for (int i = (*tree)->Find((*latest)->block_key); i >= 0;
         i = (*tree)->blocks[static_cast<size_t>(i)].parent) {
      path.insert(path.begin(), i);
    }
    if (path.size() < 4) return Response::Json(200, body);
    body["block_id"] = (*latest)->block_key;
    body["section_id"] = (*tree)->blocks[static_cast<size_t>(path[2])].usage_key;
    body["unit_id"] = (*tree)->blocks[static_cast<size_t>(path[3])].usage_key;
    return Response::Json(200, body);
  }

  // SubsectionCompletionView: {"completion": 1} when every completable leaf
  // of the subsection the caller sees is complete, else 0.
  Response Subsection(Request& request) {
    const oauth::Principal* caller = CurrentPrincipal(request);
    if (caller == nullptr) return internal::Detail(401, kNoCredentials);
    std::string username(request.PathParam("username"));
    std::string lower_url = username;
    std::string lower_caller = caller->username;
    for (std::string* s : {&lower_url, &lower_caller}) {
      for (char& c : *s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (lower_url != lower_caller) {
      if (caller->is_staff) {
        return internal::Detail(403, "You do not have permission to perform this action.");
      }
      return internal::Detail(404, "Not found.");
    }
    std::string course_key(request.PathParam("course_key"));
    StatusOr<std::shared_ptr<const courses::CourseTree>> tree = ctx_.catalog.GetTree(course_key);
    if (!tree.ok()) {
      if (tree.status().code() == StatusCode::kNotFound) return internal::Detail(404, "Not found.");
      return http::ErrorResponse(tree.status(), request.request_id());
    }
    StatusOr<keys::UsageKey> usage =
        keys::UsageKey::Parse(std::string(request.PathParam("subsection_id")));
    int index = usage.ok() ? (*tree)->Find(usage->ToString()) : -1;
    StatusOr<content_gate::ContentAccess> access =
        ctx_.gate.AccessFor(caller->user_id, caller->is_staff || caller->is_superuser, course_key);
    if (!access.ok()) return http::ErrorResponse(access.status(), request.request_id());
    if (index < 0 || !content_gate::ContentGate::VisibleWithAncestors(**tree, index, *access)) {
      return internal::Detail(404, "Not found.");
    }
    StatusOr<std::vector<completion::BlockCompletion>> rows =
        ctx_.completion.ForCourse(caller->user_id, course_key);
    if (!rows.ok()) return http::ErrorResponse(rows.status(), request.request_id());
    bool complete =
        completion::IsComplete(**tree, index, internal::VisibleBlocks(**tree, *access), *rows);
    return Response::Json(200, json{{"completion", complete ? 1 : 0}});
  }

 private:
  Response Submit(const Request& request, const json& data) {
    if (!data["username"].is_string()) {
      return internal::Detail(404, "User matching query does not exist.");
    }
    StatusOr<accounts::User> user =
        ctx_.accounts.GetUserByUsername(data["username"].get<std::string>());
    if (!user.ok()) {
      if (user.status().code() == StatusCode::kNotFound) {
        return internal::Detail(404, "User matching query does not exist.");
      }
      return http::ErrorResponse(user.status(), request.request_id());
    }
    std::string course_text = data["course_key"].is_string() ? data["course_key"].get<std::string>()
                                                             : data["course_key"].dump();
    StatusOr<keys::CourseKey> course = keys::CourseKey::Parse(course_text);
    if (!course.ok()) return internal::Detail(400, "Invalid learning context key: " + course_text);
    std::string course_key = course->ToString();
    StatusOr<std::optional<enrollment::Enrollment>> enrolled =
        ctx_.enrollments.Get(user->id, course_key);
    if (!enrolled.ok()) return http::ErrorResponse(enrolled.status(), request.request_id());
    if (!enrolled->has_value() || !(*enrolled)->is_active) {
      return internal::Detail(400, "User is not enrolled in course.");
    }
    const json& blocks = data["blocks"];
    if (!blocks.is_object()) return internal::Detail(400, "Invalid block key: " + blocks.dump());
    std::vector<CompletionEntry> entries;
    for (const auto& [key, value] : blocks.items()) {
      StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(key);
      if (!usage.ok()) return internal::Detail(400, "Invalid block key: " + key);
      if (!usage->in_library() && usage->deprecated()) usage = usage->MapIntoCourse(*course);
      if (usage->in_library() || usage->course_key() != *course) {
        std::string message = "Block with key: '" + key;
        message += "' is not in context ";
        message += course_key;
        return internal::Detail(400, message);
      }
      StatusOr<double> completion = PythonFloat(value);
      if (!completion.ok()) return internal::Detail(400, completion.status().message());
      entries.push_back({usage->ToString(), usage->block_type, *completion});
    }
    Status stored = ctx_.completion.SubmitBatch(user->id, course_key, entries);
    if (stored.code() == StatusCode::kInvalidArgument) {
      return internal::Detail(400, stored.message());
    }
    if (!stored.ok()) return http::ErrorResponse(stored, request.request_id());
    return Response::Json(200, json{{"detail", "ok"}});
  }

  CompletionRoutesContext& ctx_;
};

// Whether `index` lies under `ancestor` in the tree.
bool Descends(const courses::CourseTree& tree, int index, int ancestor) {
  for (int i = tree.blocks[static_cast<size_t>(index)].parent; i >= 0;
       i = tree.blocks[static_cast<size_t>(i)].parent) {
    if (i == ancestor) return true;
  }
  return false;
}

// publish_completion: the block itself, or (VerticalBlock) a descendant
// completable by viewing named by block_key.
Response PublishCompletion(CompletionRoutesContext& ctx, const BlockHandlerCall& call) {
  StatusOr<json> data = ParseJson(call.request->body());
  if (!data.ok() || !data->is_object()) return HandlerError(400, "Invalid JSON");
  const courses::CourseTree& tree = *call.tree;
  int target = call.block_index;
  if (data->contains("block_key")) {
    std::string text = (*data)["block_key"].is_string() ? (*data)["block_key"].get<std::string>()
                                                        : (*data)["block_key"].dump();
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(text);
    int found = usage.ok() ? tree.Find(usage->ToString()) : -1;
    const std::string& here = tree.blocks[static_cast<size_t>(call.block_index)].usage_key;
    if (found < 0 || !Descends(tree, found, call.block_index) ||
        !content_gate::ContentGate::VisibleWithAncestors(tree, found, call.access)) {
      return HandlerError(400, "Invalid block: " + text + " not found in " + here);
    }
    if (!completion::CompletableByViewing(tree.blocks[static_cast<size_t>(found)].type)) {
      return HandlerError(400,
                          "Invalid block type: " + tree.blocks[static_cast<size_t>(found)].type +
                              " in block " + text + " not configured for completion by viewing");
    }
    target = found;
  }
  const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(target)];
  if (completion::ModeOf(block.type) != completion::CompletionMode::kCompletable) {
    return HandlerError(400, "Invalid block type: " + block.type + " is not completable");
  }
  // Scored blocks complete with their score, never by a report.
  if (block.type == "problem") {
    return HandlerError(400, "Invalid block type: problem is completed by its score");
  }
  if (!data->contains("completion") || !(*data)["completion"].is_number()) {
    return HandlerError(400, "completion must be a number between 0.0 and 1.0");
  }
  StatusOr<completion::BlockCompletion> stored =
      ctx.completion.Submit(call.user_id, tree.course_key,
                            {block.usage_key, block.type, (*data)["completion"].get<double>()});
  if (stored.status().code() == StatusCode::kInvalidArgument) {
    return HandlerError(400, stored.status().message());
  }
  if (!stored.ok()) return http::ErrorResponse(stored.status(), call.request->request_id());
  return Response::Json(200, json{{"result", "ok"}});
}

// SequenceBlock._goto_position: a positive integer, else 1.
Response GotoPosition(CompletionRoutesContext& ctx, const BlockHandlerCall& call) {
  json data = HandlerData(*call.request);
  int64_t position = 1;
  if (data.contains("position")) {
    const json& value = data["position"];
    if (value.is_number_integer() && value.get<int64_t>() > 0) {
      position = value.get<int64_t>();
    } else if (value.is_string()) {
      std::string text = value.get<std::string>();
      bool digits = !text.empty() && text.size() < 18 &&
                    text.find_first_not_of("0123456789") == std::string::npos;
      if (digits && std::stoll(text) > 0) position = std::stoll(text);
    }
  }
  const courses::CatalogBlock& block = call.tree->blocks[static_cast<size_t>(call.block_index)];
  StatusOr<int64_t> stored =
      ctx.completion.SetPosition(call.user_id, call.tree->course_key, block.usage_key, position);
  if (!stored.ok()) return http::ErrorResponse(stored.status(), call.request->request_id());
  return Response::Json(200, json{{"success", true}});
}

// SequenceBlock._get_completion: whether the named child vertical's
// completable leaves (the ones the learner sees) are all complete.
Response GetCompletion(CompletionRoutesContext& ctx, const BlockHandlerCall& call) {
  json data = HandlerData(*call.request);
  bool complete = false;
  if (data.contains("usage_key") && data["usage_key"].is_string()) {
    const courses::CourseTree& tree = *call.tree;
    StatusOr<keys::UsageKey> usage = keys::UsageKey::Parse(data["usage_key"].get<std::string>());
    int child = usage.ok() ? tree.Find(usage->ToString()) : -1;
    if (child >= 0 && tree.blocks[static_cast<size_t>(child)].parent == call.block_index) {
      StatusOr<content_gate::ContentAccess> access =
          call.staff ? StatusOr<content_gate::ContentAccess>(ctx.gate.SeeAll())
                     : ctx.gate.AccessFor(call.user_id, false, tree.course_key);
      if (!access.ok()) return http::ErrorResponse(access.status(), call.request->request_id());
      StatusOr<std::vector<completion::BlockCompletion>> rows =
          ctx.completion.ForCourse(call.user_id, tree.course_key);
      if (!rows.ok()) return http::ErrorResponse(rows.status(), call.request->request_id());
      complete = completion::IsComplete(tree, child, internal::VisibleBlocks(tree, *access), *rows);
    }
  }
  return Response::Json(200, json{{"complete", complete}});
}

}  // namespace

namespace internal {

std::vector<bool> VisibleBlocks(const courses::CourseTree& tree,
                                const content_gate::ContentAccess& access) {
  std::vector<bool> visible(tree.blocks.size(), false);
  if (access.see_all) {
    visible.assign(tree.blocks.size(), true);
    return visible;
  }
  if (tree.root < 0) return visible;
  visible[static_cast<size_t>(tree.root)] = true;
  if (access.milestones == content_gate::MilestoneGate::kPrerequisites) return visible;
  // Parents come before their children in a walk from the root.
  std::vector<int> stack(tree.blocks[static_cast<size_t>(tree.root)].children.rbegin(),
                         tree.blocks[static_cast<size_t>(tree.root)].children.rend());
  while (!stack.empty()) {
    int index = stack.back();
    stack.pop_back();
    const courses::CatalogBlock& block = tree.blocks[static_cast<size_t>(index)];
    if (!content_gate::ContentGate::Visible(block, access) ||
        content_gate::ContentGate::DeniedByMilestones(block, access) ||
        content_gate::ContentGate::HiddenAfterDue(block, access)) {
      continue;
    }
    visible[static_cast<size_t>(index)] = true;
    stack.insert(stack.end(), block.children.rbegin(), block.children.rend());
  }
  return visible;
}

StatusOr<json> CompletionSummary(completion::CompletionService& completion,
                                 const content_gate::ContentGate& gate,
                                 const courses::CourseTree& tree, int64_t user_id) {
  LARCH_ASSIGN_OR_RETURN(content_gate::ContentAccess access,
                         gate.AccessFor(user_id, false, tree.course_key));
  LARCH_ASSIGN_OR_RETURN(std::vector<completion::BlockCompletion> rows,
                         completion.ForCourse(user_id, tree.course_key));
  std::vector<bool> visible = VisibleBlocks(tree, access);
  completion::CourseCompletion done = completion::AggregateCompletion(tree, visible, rows);
  int64_t complete = 0;
  int64_t incomplete = 0;
  auto shown = [&](int index) { return visible[static_cast<size_t>(index)]; };
  if (tree.root >= 0) {
    for (int section : tree.blocks[static_cast<size_t>(tree.root)].children) {
      if (!shown(section)) continue;
      for (int subsection : tree.blocks[static_cast<size_t>(section)].children) {
        if (!shown(subsection)) continue;
        for (int unit : tree.blocks[static_cast<size_t>(subsection)].children) {
          if (!shown(unit)) continue;
          ++(done.complete[static_cast<size_t>(unit)] ? complete : incomplete);
        }
      }
    }
  }
  return json{{"complete_count", complete}, {"incomplete_count", incomplete}, {"locked_count", 0}};
}

}  // namespace internal

void RegisterCompletionRoutes(http::Router& router, CompletionRoutesContext& context) {
  auto routes = std::make_shared<CompletionRoutes>(context);
  router.Post("/api/completion/v1/completion-batch",
              [routes](Request& request) { return routes->Batch(request); });
  router.Get(
      "/api/completion/v1/subsection-completion/{username}/{course_key:course_key}/"
      "{subsection_id}",
      [routes](Request& request) { return routes->Subsection(request); });
  router.Get("/api/courseware/resume/{course_key:course_key}",
             [routes](Request& request) { return routes->Resume(request); });
}

void AddCompletionHandlers(BlockHandlers& handlers, CompletionRoutesContext& context) {
  CompletionRoutesContext* ctx = &context;
  handlers.Add("*", "publish_completion",
               [ctx](const BlockHandlerCall& call) { return PublishCompletion(*ctx, call); });
  handlers.Add("sequential", "goto_position",
               [ctx](const BlockHandlerCall& call) { return GotoPosition(*ctx, call); });
  handlers.Add("sequential", "get_completion",
               [ctx](const BlockHandlerCall& call) { return GetCompletion(*ctx, call); });
  handlers.Add("sequential", "xmodule_handler", [ctx](const BlockHandlerCall& call) {
    if (call.suffix == "goto_position") return GotoPosition(*ctx, call);
    if (call.suffix == "get_completion") return GetCompletion(*ctx, call);
    return http::ErrorResponse(NotFoundError("no such block or handler"),
                               call.request->request_id());
  });
}

}  // namespace larch::api
