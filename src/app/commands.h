// The `larch` subcommands. Each returns the process exit code: 0 success,
// 1 a runtime failure (database unreachable, port taken), 2 a usage or
// configuration error. Errors are printed as one line on stderr.
//
// Thread safety: called once from main.
#ifndef LARCH_APP_COMMANDS_H_
#define LARCH_APP_COMMANDS_H_

#include <cstdint>
#include <string>
#include <vector>

namespace larch::app {

struct CommonFlags {
  std::string data_dir = "./var";
  std::string config_file;
  std::string node_id;  // --node-id; empty: NODE_ID or host:pid
};

struct ServeFlags {
  std::string listen;    // empty: from settings
  int64_t workers = -1;  // -1: from settings
};

struct CreateSuperuserFlags {
  std::string username;  // prompted for when empty
  std::string email;
  std::string password;
};

struct CreateOAuthClientFlags {
  std::string name;
  std::string client_id;
  std::string client_secret;
  std::string grant_type = "password";  // password|client_credentials|authorization_code
  bool is_public = false;
  bool restricted = false;
  std::string username;  // owner, for client_credentials tokens
  std::string redirect_uris;
};

int RunMigrate(const CommonFlags& flags);
int RunCreateSuperuser(const CommonFlags& flags, CreateSuperuserFlags user);
// Creates the operator's service account `username` (e.g. the
// RETIREMENT_SERVICE_WORKER_USERNAME): no usable password, reached through an
// OAuth client it owns (create-oauth-client --user).
int RunCreateServiceUser(const CommonFlags& flags, const std::string& username,
                         const std::string& email);
int RunCreateOAuthClient(const CommonFlags& flags, const CreateOAuthClientFlags& client);
int RunRotateKeys(const CommonFlags& flags);
int RunImportUsers(const CommonFlags& flags, const std::string& path);
// Imports an OLX course export (folder or .tar.gz) or a v1 library export
// (a folder holding library.xml) and prints what was stored.
int RunImportOlx(const CommonFlags& flags, const std::string& path);
// Writes the stored course `course_key` as an OLX export into `out_dir`.
// compute-grades COURSE: recalculates and stores the grade of every learner
// enrolled in the course.
int RunComputeGrades(const CommonFlags& flags, const std::string& course_key);
// waffle_switch NAME on|off (as `manage.py lms waffle_switch`): sets a
// waffle switch such as certificates.auto_certificate_generation; every
// process sees it at once (configuration models). With no state given it
// prints the current one.
int RunWaffleSwitch(const CommonFlags& flags, const std::string& name, const std::string& state);
// cert-generation -u ID... -c COURSE (manage.py cert_generation): generates
// (or updates) the certificates of the given learners and prints what
// happened to each.
int RunCertGeneration(const CommonFlags& flags, const std::vector<int64_t>& user_ids,
                      const std::string& course_key);
// cert-preview COURSE MODE LANG [OUTDIR]: writes certificate.html and
// certificate.pdf of a sample certificate ("Jane Doe") of the course and mode
// with the templates the site would use for LANG, and prints which one.
int RunCertPreview(const CommonFlags& flags, const std::string& course_key, const std::string& mode,
                   const std::string& language, const std::string& out_dir);
int RunExportOlx(const CommonFlags& flags, const std::string& course_key,
                 const std::string& out_dir);
int RunCheck(const CommonFlags& flags);
int RunServe(const CommonFlags& flags, const ServeFlags& serve);
// Prints every route `serve` would answer as JSON lines {"method", "pattern"}
// (hidden subcommand for the security test suite).
int RunRoutes(const CommonFlags& flags);
int RunWorker(const CommonFlags& flags);
int RunVersion();

}  // namespace larch::app

#endif  // LARCH_APP_COMMANDS_H_
