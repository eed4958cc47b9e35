#include "unicode.hpp"

#include <unicode/errorcode.h>
#include <unicode/normalizer2.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace pactum::eth::internal {
namespace {

// Mnemonics and passphrases are secrets: overwrite ICU's UTF-16 copies before they are freed.
void wipe(icu::UnicodeString& text) {
  const std::int32_t capacity = text.getCapacity();
  char16_t* buffer = text.getBuffer(capacity);
  if (buffer != nullptr) {
    volatile char16_t* p = buffer;
    for (std::int32_t i = 0; i < capacity; ++i) p[i] = 0;
    text.releaseBuffer(0);
  }
}

}  // namespace

Result<std::string> nfkd(std::string_view utf8) {
  // ICU replaces ill-formed sequences with U+FFFD silently: a different seed. Refuse them first.
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(utf8.data());
  const auto length = static_cast<std::int32_t>(utf8.size());
  if (utf8.size() > static_cast<std::size_t>(INT32_MAX / 4)) {
    return invalid_argument("text too long to normalize");
  }
  for (std::int32_t i = 0; i < length;) {
    const std::int32_t at = i;
    UChar32 c = 0;
    U8_NEXT(bytes, i, length, c);
    if (c < 0) {
      return invalid_argument("not well-formed UTF-8 at byte " + std::to_string(at));
    }
  }
  // Pure ASCII is its own NFKD.
  bool ascii = true;
  for (char ch : utf8) ascii &= static_cast<unsigned char>(ch) < 0x80;
  if (ascii) return std::string(utf8);
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status) || normalizer == nullptr) {
    return internal_error(std::string("ICU: no NFKD normalizer: ") + u_errorName(status));
  }
  icu::UnicodeString source = icu::UnicodeString::fromUTF8(icu::StringPiece(utf8.data(), length));
  icu::UnicodeString normalized = normalizer->normalize(source, status);
  std::string out;
  if (U_SUCCESS(status)) normalized.toUTF8String(out);
  wipe(normalized);
  wipe(source);
  if (U_FAILURE(status)) {
    return internal_error(std::string("ICU: NFKD failed: ") + u_errorName(status));
  }
  return out;
}

}  // namespace pactum::eth::internal
