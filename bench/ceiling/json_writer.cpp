#include "json_writer.hpp"

#include <cmath>
#include <cstdio>

namespace treff::ceiling {

void JsonWriter::keyPrefix(const char* key) {
  comma();
  out_ += '"';
  out_ += key;
  out_ += "\":";
}

void JsonWriter::add(const char* key, double value) {
  keyPrefix(key);
  if (!std::isfinite(value)) {
    out_ += "null";
    return;
  }
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", value);
  out_ += buf;
}

void JsonWriter::add(const char* key, uint64_t value) {
  keyPrefix(key);
  out_ += std::to_string(value);
}

void JsonWriter::add(const char* key, const char* value) {
  keyPrefix(key);
  out_ += '"';
  for (const char* p = value; *p; ++p) {
    if (*p == '"' || *p == '\\') out_ += '\\';
    out_ += *p;
  }
  out_ += '"';
}

void JsonWriter::add(const char* key, bool value) {
  keyPrefix(key);
  out_ += value ? "true" : "false";
}

}  // namespace treff::ceiling
