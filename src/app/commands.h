// The `larch` subcommands. Each returns the process exit code: 0 success,
// 1 a runtime failure (database unreachable, port taken), 2 a usage or
// configuration error. Errors are printed as one line on stderr.
//
// Thread safety: called once from main.
#ifndef LARCH_APP_COMMANDS_H_
#define LARCH_APP_COMMANDS_H_

#include <cstdint>
#include <string>

namespace larch::app {

struct CommonFlags {
  std::string data_dir = "./var";
  std::string config_file;
};

struct ServeFlags {
  std::string listen;    // empty: from settings
  int64_t workers = -1;  // -1: from settings
};

int RunMigrate(const CommonFlags& flags);
int RunCheck(const CommonFlags& flags);
int RunServe(const CommonFlags& flags, const ServeFlags& serve);
int RunWorker(const CommonFlags& flags);
int RunVersion();

}  // namespace larch::app

#endif  // LARCH_APP_COMMANDS_H_
