#include "internal.h"

#include <nlohmann/json.hpp>

#include "larch/storage/job_store.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace larch::accounts::internal {
namespace {

// Refresh tokens first: their access_token_id would otherwise be nulled
// one row at a time.
constexpr storage::Query kDeleteUserRefreshTokens{
    "accounts.oauth.delete_user_refresh_tokens",
    "DELETE FROM oauth_refresh_tokens WHERE user_id = ?"};
constexpr storage::Query kDeleteUserAccessTokens{
    "accounts.oauth.delete_user_access_tokens",
    "DELETE FROM oauth_access_tokens WHERE user_id = ?"};

}  // namespace

Status DestroyOAuthTokens(storage::Executor& ex, int64_t user_id) {
  LARCH_RETURN_IF_ERROR(ex.Execute(kDeleteUserRefreshTokens, {storage::Int(user_id)}).status());
  return ex.Execute(kDeleteUserAccessTokens, {storage::Int(user_id)}).status();
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

size_t CodePointCount(std::string_view utf8) {
  size_t count = 0;
  for (unsigned char c : utf8) {
    if ((c & 0xC0) != 0x80) ++count;
  }
  return count;
}

bool IsValidUsername(std::string_view username) {
  // Django's slug_re, which Open edX uses unless ENABLE_UNICODE_USERNAME.
  return !username.empty() && std::all_of(username.begin(), username.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
  });
}

bool IsValidEmail(std::string_view email) {
  size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 >= email.size()) return false;
  std::string_view local = email.substr(0, at);
  std::string_view domain = email.substr(at + 1);
  for (char c : email) {
    if (std::isspace(static_cast<unsigned char>(c)) || std::iscntrl(static_cast<unsigned char>(c)))
      return false;
  }
  if (local.find('@') != std::string_view::npos || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos) {
    return false;
  }
  size_t dot = domain.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 2 > domain.size()) return false;
  if (domain.find("..") != std::string_view::npos || domain.front() == '-') return false;
  return std::all_of(domain.begin(), domain.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
           static_cast<unsigned char>(c) >= 0x80;
  });
}

bool IsCountryCode(std::string_view code) {
  static constexpr std::string_view kCodes =
      "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
      "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
      "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
      "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
      "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
      "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
      "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
      "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
      "VN VU WF WS XK YE YT ZA ZM ZW";
  if (code.size() != 2) return false;
  for (size_t i = 0; i + 1 < kCodes.size(); i += 3) {
    if (kCodes.substr(i, 2) == code) return true;
  }
  return false;
}

std::string ToBase36(int64_t value) {
  static constexpr char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
  if (value <= 0) return "0";
  std::string out;
  auto v = static_cast<uint64_t>(value);
  while (v > 0) {
    out.push_back(kDigits[v % 36]);
    v /= 36;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

User UserFromRow(const storage::Row& row, size_t o) {
  User user;
  user.id = row.GetInt(o + 0);
  user.username = row.GetText(o + 1);
  user.email = row.GetText(o + 2);
  user.password = row.GetText(o + 3);
  user.first_name = row.GetText(o + 4);
  user.last_name = row.GetText(o + 5);
  user.is_active = row.GetBool(o + 6);
  user.is_staff = row.GetBool(o + 7);
  user.is_superuser = row.GetBool(o + 8);
  user.date_joined = row.GetInt(o + 9);
  user.last_login = row.GetOptionalInt(o + 10);
  return user;
}

Status EnqueueMail(storage::Executor& ex, int64_t now, const std::string& to,
                   const std::string& subject, const std::string& text, const std::string& html) {
  storage::NewJob job;
  job.kind = "mail.send";
  job.payload = nlohmann::json{
      {"to", nlohmann::json::array({to})},
      {"subject", subject},
      {"text", text},
      {"html",
       html}}.dump();
  return storage::EnqueueJob(ex, job, now).status();
}

}  // namespace larch::accounts::internal
