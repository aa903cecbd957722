// A minimal JSON object writer for the probe's one-line report (keys are plain identifiers).
#pragma once

#include <cstdint>
#include <string>

namespace treff::ceiling {

class JsonWriter {
 public:
  JsonWriter() { out_ = "{"; }
  void begin(const char* key) {
    comma();
    out_ += '"';
    out_ += key;
    out_ += "\":{";
    first_ = true;
  }
  void end() {
    out_ += '}';
    first_ = false;
  }
  void add(const char* key, double value);
  void add(const char* key, uint64_t value);
  void add(const char* key, const char* value);
  void add(const char* key, bool value);
  std::string finish() { return out_ + "}"; }

 private:
  void comma() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  void keyPrefix(const char* key);
  std::string out_;
  bool first_ = true;
};

}  // namespace treff::ceiling
