#include "api_users.h"

#include <fstream>

#include "larch/http/url.h"

namespace larch::testing {

CommandResult CreateSuperuser(const std::string& data_dir, const std::string& username,
                              const std::string& password, const LarchEnv& env) {
  return RunLarch({"createsuperuser", "--data-dir", data_dir, "--username", username, "--email",
                   username + "@example.com", "--password", password},
                  env);
}

CommandResult CreatePasswordClient(const std::string& data_dir, const std::string& client_id,
                                   const std::string& client_secret, const LarchEnv& env) {
  return RunLarch(
      {"create-oauth-client", "--data-dir", data_dir, "--name", client_id, "--client-id", client_id,
       "--client-secret", client_secret, "--grant-type", "password"},
      env);
}

CommandResult ImportUsers(const std::string& data_dir, const std::vector<std::string>& usernames,
                          const std::string& password_hash, const LarchEnv& env) {
  const std::string csv = data_dir + "/users.csv";
  {
    std::ofstream out(csv);
    out << "username,email,password,name,is_active\n";
    for (const std::string& name : usernames) {
      out << name << "," << name << "@example.com," << password_hash << "," << name << ",1\n";
    }
  }
  return RunLarch({"import-users", "--data-dir", data_dir, csv}, env);
}

StatusOr<HttpClientResponse> PasswordGrant(const std::string& base_url,
                                           const std::string& client_id,
                                           const std::string& client_secret,
                                           const std::string& username, const std::string& password,
                                           const std::string& extra_form) {
  return Send("POST", base_url + "/oauth2/access_token",
              "grant_type=password&client_id=" + client_id + "&client_secret=" + client_secret +
                  "&username=" + http::PercentEncode(username) +
                  "&password=" + http::PercentEncode(password) + extra_form,
              {{"Content-Type", "application/x-www-form-urlencoded"}});
}

}  // namespace larch::testing
