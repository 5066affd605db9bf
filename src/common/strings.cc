#include "larch/common/strings.h"

namespace larch {

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

namespace {
constexpr char kLowerHex[] = "0123456789abcdef";
}  // namespace

std::string HexEncode(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    auto u = static_cast<unsigned char>(c);
    out.push_back(kLowerHex[u >> 4]);
    out.push_back(kLowerHex[u & 15]);
  }
  return out;
}

void AppendHexNumber(std::string& out, uint64_t value) {
  char buf[16];
  int n = 0;
  do {
    buf[n++] = kLowerHex[value & 15];
    value >>= 4;
  } while (value != 0);
  while (n > 0) out.push_back(buf[--n]);
}

void AppendJsonString(std::string& out, std::string_view text) {
  out.push_back('"');
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (u < 0x20 || u == 0x7f) {
      out.append("\\u00");
      out.push_back(kLowerHex[u >> 4]);
      out.push_back(kLowerHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  out.push_back('"');
}

}  // namespace larch
