// Entry point of the `larch` binary: parses the command line and hands over
// to one subcommand (app/commands.h).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "commands.h"

namespace {

int Main(int argc, char** argv) {
  CLI::App cli{"Larch: an Open edX compatible learning platform"};
  cli.require_subcommand(1);
  larch::app::CommonFlags common;
  larch::app::ServeFlags serve_flags;

  auto add_common = [&](CLI::App* sub) {
    sub->add_option("--data-dir", common.data_dir, "Data directory (database, keys, uploads)")
        ->capture_default_str();
    sub->add_option("--config", common.config_file,
                    "YAML settings file (default: <data-dir>/larch.yml when present)");
    sub->add_option("--node-id", common.node_id,
                    "This node's name in logs, job leases and `larch check` (default: host:pid)");
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
  // Hidden (empty group): a tool for the security test suite, not for users.
  CLI::App* routes = cli.add_subcommand("routes", "Print the route table as JSON lines");
  routes->group("");
  add_common(routes);

  larch::app::CreateSuperuserFlags superuser;
  CLI::App* createsuperuser =
      cli.add_subcommand("createsuperuser", "Create an active staff superuser");
  add_common(createsuperuser);
  createsuperuser->add_option("--username", superuser.username, "Username (prompted if missing)");
  createsuperuser->add_option("--email", superuser.email, "E-mail (prompted if missing)");
  createsuperuser->add_option("--password", superuser.password, "Password (prompted if missing)");

  std::string service_username;
  std::string service_email;
  CLI::App* create_service_user = cli.add_subcommand(
      "create-service-user", "Create a service account (e.g. the retirement service worker)");
  add_common(create_service_user);
  create_service_user->add_option("--username", service_username, "Username")->required();
  create_service_user->add_option("--email", service_email, "E-mail")->required();

  larch::app::CreateOAuthClientFlags client;
  CLI::App* create_client =
      cli.add_subcommand("create-oauth-client", "Create an OAuth2 application");
  add_common(create_client);
  create_client->add_option("--name", client.name, "Display name")->required();
  create_client->add_option("--client-id", client.client_id, "Client id")->required();
  create_client->add_option("--client-secret", client.client_secret,
                            "Client secret (confidential clients)");
  create_client->add_option("--grant-type", client.grant_type, "Authorization grant type")
      ->check(CLI::IsMember({"password", "client_credentials", "authorization_code"}))
      ->capture_default_str();
  create_client->add_flag("--public", client.is_public, "A public client (mobile apps)");
  create_client->add_flag("--restricted", client.restricted,
                          "A restricted application (Open edX RestrictedApplication)");
  create_client->add_option("--user", client.username,
                            "Owner username (client_credentials tokens act as this user)");
  create_client->add_option("--redirect-uris", client.redirect_uris,
                            "Space-separated redirect URIs");

  CLI::App* rotate_keys =
      cli.add_subcommand("rotate-keys", "Create a new JWT signing key, keeping the old one");
  add_common(rotate_keys);

  std::string import_path;
  CLI::App* import_users =
      cli.add_subcommand("import-users", "Import users (CSV or JSON with Django password hashes)");
  add_common(import_users);
  import_users->add_option("FILE", import_path, "CSV or JSON file")->required();

  std::string olx_path;
  CLI::App* import_olx = cli.add_subcommand(
      "import-olx", "Import an OLX course export (folder or .tar.gz) or a library export");
  add_common(import_olx);
  import_olx->add_option("PATH", olx_path, "Course export folder, .tar.gz, or library folder")
      ->required();

  std::string grades_course;
  CLI::App* compute_grades =
      cli.add_subcommand("compute-grades", "Recalculate the grades of a course's learners");
  add_common(compute_grades);
  compute_grades->add_option("COURSE", grades_course, "Course key (course-v1:...)")->required();

  std::string export_key;
  std::string export_dir;
  CLI::App* export_olx = cli.add_subcommand("export-olx", "Export a stored course as OLX");
  add_common(export_olx);
  export_olx->add_option("COURSE_KEY", export_key, "course-v1:Org+Course+Run")->required();
  export_olx->add_option("OUTDIR", export_dir, "Folder to write (created if missing)")->required();

  std::string switch_name, switch_state;
  CLI::App* waffle_switch =
      cli.add_subcommand("waffle_switch", "Show or set a waffle switch (on|off)");
  add_common(waffle_switch);
  waffle_switch->add_option("NAME", switch_name, "e.g. certificates.auto_certificate_generation")
      ->required();
  waffle_switch->add_option("STATE", switch_state, "on or off; omitted: print it")
      ->check(CLI::IsMember({"on", "off"}));

  std::vector<int64_t> cert_users;
  std::string cert_course;
  CLI::App* cert_generation = cli.add_subcommand(
      "cert-generation", "Generate the certificates of learners (manage.py cert_generation)");
  add_common(cert_generation);
  cert_generation->add_option("-u,--user", cert_users, "User ids")->required();
  cert_generation->add_option("-c,--course", cert_course, "Course key")->required();

  std::string preview_course, preview_mode, preview_lang, preview_out = ".";
  CLI::App* cert_preview = cli.add_subcommand(
      "cert-preview",
      "Write a sample certificate's HTML and PDF (templates as the site uses them)");
  add_common(cert_preview);
  cert_preview->add_option("COURSE", preview_course, "Course key")->required();
  cert_preview->add_option("MODE", preview_mode, "Course mode, e.g. verified")->required();
  cert_preview->add_option("LANG", preview_lang, "Template language, e.g. en or es")->required();
  cert_preview->add_option("OUTDIR", preview_out, "Folder to write (default: .)");

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
  if (routes->parsed()) return larch::app::RunRoutes(common);
  if (createsuperuser->parsed()) return larch::app::RunCreateSuperuser(common, superuser);
  if (create_service_user->parsed()) {
    return larch::app::RunCreateServiceUser(common, service_username, service_email);
  }
  if (create_client->parsed()) return larch::app::RunCreateOAuthClient(common, client);
  if (rotate_keys->parsed()) return larch::app::RunRotateKeys(common);
  if (import_users->parsed()) return larch::app::RunImportUsers(common, import_path);
  if (import_olx->parsed()) return larch::app::RunImportOlx(common, olx_path);
  if (export_olx->parsed()) return larch::app::RunExportOlx(common, export_key, export_dir);
  if (compute_grades->parsed()) return larch::app::RunComputeGrades(common, grades_course);
  if (waffle_switch->parsed()) {
    return larch::app::RunWaffleSwitch(common, switch_name, switch_state);
  }
  if (cert_preview->parsed()) {
    return larch::app::RunCertPreview(common, preview_course, preview_mode, preview_lang,
                                      preview_out);
  }
  if (cert_generation->parsed()) {
    return larch::app::RunCertGeneration(common, cert_users, cert_course);
  }
  return larch::app::RunVersion();
}

}  // namespace

int main(int argc, char** argv) {
  // Subcommands report failures as Status; an exception reaching here is a
  // bug, reported as one line instead of a core dump.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "larch: internal error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "larch: internal error\n");
  }
  return 1;
}
