// Entry point of the `larch` binary: parses the command line and hands over
// to one subcommand (app/commands.h).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "commands.h"

int main(int argc, char** argv) {
  CLI::App cli{"Larch: an Open edX compatible learning platform"};
  cli.require_subcommand(1);
  larch::app::CommonFlags common;
  larch::app::ServeFlags serve_flags;

  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--data-dir", common.data_dir, "Data directory (database, keys, uploads)")
        ->capture_default_str();
    sub->add_option("--config", common.config_file,
                    "YAML settings file (default: <data-dir>/larch.yml when present)");
  };

  CLI::App* serve = cli.add_subcommand("serve", "Serve HTTP (and run background jobs)");
  add_common(serve);
  serve->add_option("--listen", serve_flags.listen, "HOST:PORT (default 127.0.0.1:8000)");
  serve->add_option("--workers", serve_flags.workers, "HTTP threads (0: one per core)")
      ->check(CLI::Range(0, 1024));
  CLI::App* migrate = cli.add_subcommand("migrate", "Apply pending database migrations");
  add_common(migrate);
  CLI::App* check = cli.add_subcommand("check", "Check configuration and database");
  add_common(check);
  CLI::App* worker = cli.add_subcommand("worker", "Run background jobs only");
  add_common(worker);
  cli.add_subcommand("version", "Print the version");

  try {
    cli.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return cli.exit(e);
    std::fprintf(stderr, "larch: %s\n", e.what());
    std::fprintf(stderr, "Run 'larch --help' for usage.\n");
    return 2;
  }

  if (serve->parsed()) return larch::app::RunServe(common, serve_flags);
  if (migrate->parsed()) return larch::app::RunMigrate(common);
  if (check->parsed()) return larch::app::RunCheck(common);
  if (worker->parsed()) return larch::app::RunWorker(common);
  return larch::app::RunVersion();
}
