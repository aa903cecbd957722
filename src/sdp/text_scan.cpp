#include "sdp/text_scan.hpp"

#include <charconv>

namespace treff::sdp::text {

std::vector<std::string_view> split(std::string_view input, char separator) {
  std::vector<std::string_view> pieces;
  size_t start = 0;
  while (start <= input.size()) {
    size_t end = input.find(separator, start);
    if (end == std::string_view::npos) end = input.size();
    if (end > start) pieces.push_back(input.substr(start, end - start));
    start = end + 1;
  }
  return pieces;
}

SplitPair splitOnce(std::string_view input, char separator) {
  const size_t at = input.find(separator);
  if (at == std::string_view::npos) return {input, {}, false};
  return {input.substr(0, at), input.substr(at + 1), true};
}

std::string_view trim(std::string_view input) {
  while (!input.empty() && (input.front() == ' ' || input.front() == '\t')) input.remove_prefix(1);
  while (!input.empty() && (input.back() == ' ' || input.back() == '\t')) input.remove_suffix(1);
  return input;
}

static char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (lowerAscii(a[i]) != lowerAscii(b[i])) return false;
  }
  return true;
}

bool startsWith(std::string_view input, std::string_view prefix) {
  return input.substr(0, prefix.size()) == prefix;
}

std::optional<uint64_t> parseUnsigned(std::string_view input, uint64_t max) {
  if (input.empty() || input.size() > 20) return std::nullopt;
  for (char c : input) {
    if (c < '0' || c > '9') return std::nullopt;
  }
  uint64_t value = 0;
  const auto [end, error] = std::from_chars(input.data(), input.data() + input.size(), value);
  if (error != std::errc() || end != input.data() + input.size() || value > max) {
    return std::nullopt;
  }
  return value;
}

bool isToken(std::string_view input) {
  if (input.empty()) return false;
  for (char c : input) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) return false;
    switch (c) {
      case '"':
      case '(':
      case ')':
      case ',':
      case '/':
      case ':':
      case ';':
      case '<':
      case '=':
      case '>':
      case '?':
      case '@':
      case '[':
      case '\\':
      case ']':
        return false;
      default:
        break;
    }
  }
  return true;
}

}  // namespace treff::sdp::text
