#include "larch/accounts/import_users.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "internal.h"
#include "larch/accounts/passwords.h"
#include "larch/accounts/user_store.h"
#include "larch/common/json.h"

namespace larch::accounts {
namespace {

using storage::Int;
using storage::Text;

constexpr size_t kBatchSize = 1000;

constexpr storage::Query kImportInsertProfile{
    "accounts.import.insert_profile", "INSERT INTO user_profiles (user_id, name) VALUES (?, ?)"};
constexpr storage::Query kImportUpsertProfile{
    "accounts.import.upsert_profile",
    "INSERT INTO user_profiles (user_id, name) VALUES (?, ?) "
    "ON CONFLICT (user_id) DO UPDATE SET name = excluded.name"};

struct ImportRow {
  int64_t line = 0;
  std::map<std::string, std::string> fields;
};

// RFC 4180 CSV: quoted fields may hold commas, quotes ("") and newlines.
// Each record keeps the line number it starts on.
std::vector<ImportRow> ParseCsv(std::string_view text, std::vector<std::string>* header) {
  std::vector<std::vector<std::string>> records;
  std::vector<int64_t> lines;
  std::vector<std::string> record;
  std::string field;
  bool in_quotes = false;
  bool field_started = false;
  int64_t line = 1;
  int64_t record_line = 1;
  auto end_record = [&] {
    record.push_back(field);
    field.clear();
    if (!(record.size() == 1 && record[0].empty() && !field_started)) {
      records.push_back(record);
      lines.push_back(record_line);
    }
    record.clear();
    field_started = false;
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_quotes) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          in_quotes = false;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
    } else if (c == '"') {
      in_quotes = true;
      field_started = true;
    } else if (c == ',') {
      record.push_back(field);
      field.clear();
      field_started = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      end_record();
      ++line;
      record_line = line;
    } else {
      field.push_back(c);
      field_started = true;
    }
  }
  if (!field.empty() || !record.empty() || field_started) end_record();
  std::vector<ImportRow> rows;
  if (records.empty()) return rows;
  *header = records[0];
  for (std::string& h : *header) h = internal::AsciiLower(internal::Trim(h));
  for (size_t r = 1; r < records.size(); ++r) {
    ImportRow row;
    row.line = lines[r];
    for (size_t c = 0; c < records[r].size() && c < header->size(); ++c) {
      row.fields[(*header)[c]] = records[r][c];
    }
    if (records[r].size() != header->size())
      row.fields
          ["\x01"
           "bad_columns"] = "1";
    rows.push_back(std::move(row));
  }
  return rows;
}

StatusOr<bool> ParseBool(const std::string& text, bool fallback) {
  std::string v = internal::AsciiLower(internal::Trim(text));
  if (v.empty()) return fallback;
  if (v == "1" || v == "true" || v == "t" || v == "yes") return true;
  if (v == "0" || v == "false" || v == "f" || v == "no") return false;
  return InvalidArgumentError("not a boolean: " + text);
}

struct Prepared {
  int64_t line;
  std::string username, email, password, name, first_name, last_name;
  bool is_active, is_staff, is_superuser;
  int64_t date_joined;
  bool has_name;
};

StatusOr<Prepared> PrepareRow(const ImportRow& row, int64_t now) {
  auto get = [&](const char* key) {
    auto it = row.fields.find(key);
    return it == row.fields.end() ? std::string() : it->second;
  };
  if (row.fields.count("\x01"
                       "bad_columns")) {
    return InvalidArgumentError("wrong number of columns");
  }
  Prepared p;
  p.line = row.line;
  p.username = internal::Trim(get("username"));
  p.email = internal::Trim(get("email"));
  p.password = internal::Trim(get("password"));
  p.name = get("name");
  p.has_name = row.fields.count("name") > 0;
  p.first_name = get("first_name");
  p.last_name = get("last_name");
  if (p.username.empty() || p.username.size() > 150 ||
      p.username.find_first_of(" \t\r\n/") != std::string::npos) {
    return InvalidArgumentError("invalid username '" + p.username + "'");
  }
  if (!internal::IsValidEmail(p.email))
    return InvalidArgumentError("invalid email '" + p.email + "'");
  if (!p.password.empty() && p.password[0] != '!' && p.password.find('$') == std::string::npos) {
    return InvalidArgumentError("password is not a Django password hash");
  }
  LARCH_ASSIGN_OR_RETURN(p.is_active, ParseBool(get("is_active"), true));
  LARCH_ASSIGN_OR_RETURN(p.is_staff, ParseBool(get("is_staff"), false));
  LARCH_ASSIGN_OR_RETURN(p.is_superuser, ParseBool(get("is_superuser"), false));
  std::string joined = internal::Trim(get("date_joined"));
  if (joined.empty()) {
    p.date_joined = now;
  } else {
    auto parsed = ParseIso8601(joined);
    if (!parsed.ok()) return InvalidArgumentError("invalid date_joined '" + joined + "'");
    p.date_joined = *parsed;
  }
  return p;
}

}  // namespace

StatusOr<ImportReport> ImportUsersFromText(storage::Database& db, const Clock& clock,
                                           std::string_view text, bool json) {
  std::vector<ImportRow> rows;
  if (json) {
    // Depth-checked: value.dump() below recurses once per nesting level.
    StatusOr<nlohmann::json> parsed = ParseJson(text);
    if (!parsed.ok() && parsed.status().error_code() == "json_too_deep") {
      return InvalidArgumentError("import file is nested deeper than " +
                                  std::to_string(kMaxJsonDepth) + " levels")
          .WithErrorCode("json_too_deep");
    }
    if (!parsed.ok() || !parsed->is_array()) {
      return InvalidArgumentError("import file is not a JSON array");
    }
    int64_t index = 0;
    for (const auto& item : *parsed) {
      ImportRow row;
      row.line = ++index;
      if (!item.is_object()) {
        row.fields
            ["\x01"
             "bad_columns"] = "1";
      } else {
        for (const auto& [key, value] : item.items()) {
          if (value.is_null()) continue;
          row.fields[internal::AsciiLower(key)] =
              value.is_string() ? value.get<std::string>() : value.dump();
        }
      }
      rows.push_back(std::move(row));
    }
  } else {
    std::vector<std::string> header;
    rows = ParseCsv(text, &header);
    bool has_username = std::find(header.begin(), header.end(), "username") != header.end();
    bool has_email = std::find(header.begin(), header.end(), "email") != header.end();
    if (!has_username || !has_email) {
      return InvalidArgumentError("CSV header must name the username and email columns");
    }
  }

  ImportReport report;
  int64_t now = clock.NowMicros();
  // Every existing key once, so rows need no SELECT round trips.
  std::unordered_map<std::string, int64_t> by_username;
  std::unordered_map<std::string, int64_t> by_email;
  {
    LARCH_ASSIGN_OR_RETURN(auto txn, db.Begin(storage::TxnMode::kReadOnly));
    LARCH_ASSIGN_OR_RETURN(std::vector<UserLoginKeys> keys, UserStore::ListLoginKeys(*txn));
    for (UserLoginKeys& k : keys) {
      by_username[std::move(k.username_lower)] = k.id;
      by_email[std::move(k.email_lower)] = k.id;
    }
  }

  std::vector<Prepared> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return OkStatus();
    // Tallies are applied only once the batch commits (retries rerun it).
    ImportReport delta;
    std::vector<std::pair<std::string, std::string>> new_keys;
    std::vector<int64_t> new_ids;
    Status status =
        db.RunInTransaction(storage::TxnMode::kReadWrite, [&](storage::Transaction& txn) -> Status {
          delta = ImportReport();
          new_keys.clear();
          new_ids.clear();
          std::unordered_map<std::string, int64_t> batch_usernames;
          std::unordered_map<std::string, int64_t> batch_emails;
          for (const Prepared& p : batch) {
            std::string lu = internal::AsciiLower(p.username);
            std::string le = internal::AsciiLower(p.email);
            auto find = [](const auto& a, const auto& b, const std::string& k) -> int64_t {
              if (auto it = a.find(k); it != a.end()) return it->second;
              if (auto it = b.find(k); it != b.end()) return it->second;
              return 0;
            };
            int64_t uid = find(by_username, batch_usernames, lu);
            int64_t eid = find(by_email, batch_emails, le);
            if (uid != 0 && eid != 0 && uid != eid) {
              ++delta.skipped;
              delta.errors.push_back("line " + std::to_string(p.line) +
                                     ": username and email belong to different existing users");
              continue;
            }
            int64_t id = uid != 0 ? uid : eid;
            std::string password = p.password.empty() ? "" : p.password;
            if (id != 0) {
              LARCH_RETURN_IF_ERROR(UserStore::UpdateImported(
                  txn, id,
                  ImportedUserFields{p.username, p.email, password, p.first_name, p.last_name,
                                     p.is_active, p.is_staff, p.is_superuser}));
              if (p.has_name) {
                LARCH_RETURN_IF_ERROR(
                    txn.Execute(kImportUpsertProfile, {Int(id), Text(p.name)}).status());
              }
              ++delta.updated;
            } else {
              // An unusable password ("!") when none is given, as Django's
              // set_unusable_password; the user must reset it.
              std::string stored =
                  password.empty() ? "!" + TokenHash(p.username).substr(0, 40) : password;
              User user;
              user.username = p.username;
              user.email = p.email;
              user.password = stored;
              user.first_name = p.first_name;
              user.last_name = p.last_name;
              user.is_active = p.is_active;
              user.is_staff = p.is_staff;
              user.is_superuser = p.is_superuser;
              user.date_joined = p.date_joined;
              LARCH_ASSIGN_OR_RETURN(id, UserStore::Insert(txn, user));
              LARCH_RETURN_IF_ERROR(
                  txn.Execute(kImportInsertProfile, {Int(id), Text(p.name)}).status());
              ++delta.imported;
            }
            batch_usernames[lu] = id;
            batch_emails[le] = id;
            new_keys.emplace_back(lu, le);
            new_ids.push_back(id);
          }
          return OkStatus();
        });
    batch.clear();
    LARCH_RETURN_IF_ERROR(status);
    for (size_t i = 0; i < new_keys.size(); ++i) {
      by_username[new_keys[i].first] = new_ids[i];
      by_email[new_keys[i].second] = new_ids[i];
    }
    report.imported += delta.imported;
    report.updated += delta.updated;
    report.skipped += delta.skipped;
    report.errors.insert(report.errors.end(), delta.errors.begin(), delta.errors.end());
    return OkStatus();
  };

  for (const ImportRow& row : rows) {
    auto prepared = PrepareRow(row, now);
    if (!prepared.ok()) {
      ++report.skipped;
      report.errors.push_back("line " + std::to_string(row.line) + ": " +
                              prepared.status().message());
      continue;
    }
    batch.push_back(*std::move(prepared));
    if (batch.size() >= kBatchSize) LARCH_RETURN_IF_ERROR(flush());
  }
  LARCH_RETURN_IF_ERROR(flush());
  // Row checks and batch conflicts are found in different passes; report
  // them in file order.
  auto line_of = [](const std::string& e) { return std::strtoll(e.c_str() + 5, nullptr, 10); };
  std::stable_sort(
      report.errors.begin(), report.errors.end(),
      [&](const std::string& a, const std::string& b) { return line_of(a) < line_of(b); });
  return report;
}

StatusOr<ImportReport> ImportUsers(storage::Database& db, const Clock& clock,
                                   std::string_view path) {
  std::ifstream in{std::string(path), std::ios::binary};
  if (!in) return NotFoundError("cannot read " + std::string(path));
  std::stringstream buffer;
  buffer << in.rdbuf();
  std::string text = buffer.str();
  bool json = path.size() >= 5 && path.substr(path.size() - 5) == ".json";
  size_t first = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (first != std::string::npos && text[first] == '[') json = true;
  if (!json && text.rfind("\xEF\xBB\xBF", 0) == 0) text.erase(0, 3);
  return ImportUsersFromText(db, clock, text, json);
}

}  // namespace larch::accounts
