#include "dtls/dtls_record.hpp"

namespace treff::dtls {

const char* toString(RecordError error) {
  switch (error) {
    case RecordError::None:
      return "none";
    case RecordError::Empty:
      return "empty";
    case RecordError::TruncatedHeader:
      return "truncated header";
    case RecordError::TruncatedFragment:
      return "truncated fragment";
    case RecordError::BadContentType:
      return "bad content type";
    case RecordError::BadVersion:
      return "bad version";
    case RecordError::FragmentTooLong:
      return "fragment too long";
  }
  return "unknown";
}

bool RecordIterator::next(DtlsRecord& out) {
  if (error_ != RecordError::None || offset_ >= data_.size()) return false;
  const size_t left = data_.size() - offset_;
  if (left < kRecordHeaderSize) {
    error_ = RecordError::TruncatedHeader;
    return false;
  }
  const uint8_t* p = data_.data() + offset_;
  const uint8_t type = p[0];
  if (type < static_cast<uint8_t>(ContentType::ChangeCipherSpec) ||
      type > static_cast<uint8_t>(ContentType::ApplicationData)) {
    error_ = RecordError::BadContentType;
    return false;
  }
  if (p[1] != 0xFE) {
    error_ = RecordError::BadVersion;
    return false;
  }
  const size_t length = util::loadBe16(p + 11);
  if (length > kMaxRecordFragment) {
    error_ = RecordError::FragmentTooLong;
    return false;
  }
  if (length > left - kRecordHeaderSize) {
    error_ = RecordError::TruncatedFragment;
    return false;
  }
  out.contentType = static_cast<ContentType>(type);
  out.version = util::loadBe16(p + 1);
  out.epoch = util::loadBe16(p + 3);
  out.sequenceNumber = static_cast<uint64_t>(util::loadBe16(p + 5)) << 32 | util::loadBe32(p + 7);
  out.fragment = data_.subspan(offset_ + kRecordHeaderSize, length);
  out.whole = data_.subspan(offset_, kRecordHeaderSize + length);
  offset_ += kRecordHeaderSize + length;
  return true;
}

RecordError validateDatagram(util::ConstBytes datagram) {
  if (datagram.empty()) return RecordError::Empty;
  RecordIterator it(datagram);
  DtlsRecord record;
  while (it.next(record)) {
  }
  return it.error();
}

}  // namespace treff::dtls
