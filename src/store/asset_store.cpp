// The parts of asset_store.hpp shared by every AssetStore implementation.
#include "pactum/store/asset_store.hpp"

#include <algorithm>

namespace pactum::store {

Status validate_asset_id(std::string_view id) {
  if (id.empty()) return invalid_argument("asset id is empty");
  if (id.size() > kMaxAssetIdLength) {
    return invalid_argument("asset id is " + std::to_string(id.size()) +
                            " bytes, more than the limit of " + std::to_string(kMaxAssetIdLength));
  }
  for (std::size_t i = 0; i < id.size(); ++i) {
    const char c = id[i];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == ':' || c == '-';
    if (!ok) {
      return invalid_argument(
          "asset id has a byte 0x" +
          to_hex(ByteView(reinterpret_cast<const std::uint8_t*>(&c), 1), false) + " at position " +
          std::to_string(i) + "; allowed are letters, digits and . _ : -");
    }
  }
  if (id.front() == '.' || id.front() == '-') {
    return invalid_argument("asset id must not start with '.' or '-'");
  }
  if (id.find("..") != std::string_view::npos) return invalid_argument("asset id contains '..'");
  return ok_status();
}

std::uint64_t AssetMetadata::chunk_length(std::uint64_t index) const noexcept {
  const std::uint64_t start = index * chunk_size;
  return std::min<std::uint64_t>(chunk_size, size - start);
}

RangeReader::RangeReader(AssetReader& reader, std::uint64_t offset, std::uint64_t length)
    : reader_(&reader), offset_(offset), length_(length) {
  const std::uint64_t chunk_size = reader.metadata().chunk_size;
  if (length == 0) {
    next_index_ = end_index_ = 0;
  } else {
    next_index_ = offset / chunk_size;
    end_index_ = (offset + length - 1) / chunk_size + 1;
  }
}

Result<bool> RangeReader::next(ChunkPiece& out) {
  if (next_index_ >= end_index_) return false;
  PACTUM_TRY_STATUS(reader_->read_chunk(next_index_, out));
  ++next_index_;
  const std::uint64_t chunk_end = out.offset + out.plaintext.size();
  const std::uint64_t range_end = offset_ + length_;
  out.range_begin = static_cast<std::size_t>(std::max(offset_, out.offset) - out.offset);
  out.range_end = static_cast<std::size_t>(std::min(range_end, chunk_end) - out.offset);
  return true;
}

Result<RangeReader> AssetReader::read_range(std::uint64_t offset, std::uint64_t length) {
  const std::uint64_t size = metadata().size;
  if (offset > size || length > size - offset) {
    return out_of_range("range of " + std::to_string(length) + " bytes at " +
                        std::to_string(offset) + " is past the end of a " + std::to_string(size) +
                        "-byte asset");
  }
  return RangeReader(*this, offset, length);
}

}  // namespace pactum::store
