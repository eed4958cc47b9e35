// Client::publish: stream the file to the node while hashing it, check the node's checksum,
// register the asset on chain, store the DDO at the node.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>

#include "client_internal.hpp"
#include "pactum/eth/keccak.hpp"
#include "pactum/sdk/chunks.hpp"
#include "pactum/sdk/ddo.hpp"
#include "pactum/sdk/did.hpp"
#include "pactum/sdk/merkle.hpp"

namespace pactum::client {
namespace {

using Json = nlohmann::json;
using Registry = contracts::AssetRegistry;

// An open file, closed on destruction.
class InputFile {
 public:
  static Result<InputFile> open(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      if (errno == ENOENT || errno == ENOTDIR) return not_found(path.string() + ": no such file");
      if (errno == EACCES) return permission_denied(path.string() + ": not readable");
      return invalid_argument(path.string() + ": " + std::strerror(errno));
    }
    if (S_ISDIR(st.st_mode)) return invalid_argument(path.string() + " is a directory, not a file");
    if (!S_ISREG(st.st_mode)) return invalid_argument(path.string() + " is not a regular file");
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      if (errno == EACCES) return permission_denied(path.string() + ": not readable");
      return unavailable(path.string() + ": " + std::strerror(errno));
    }
    return InputFile(fd, static_cast<std::uint64_t>(st.st_size), path.string());
  }
  InputFile(InputFile&& o) noexcept
      : fd_(std::exchange(o.fd_, -1)), size_(o.size_), name_(std::move(o.name_)) {}
  InputFile& operator=(InputFile&&) = delete;
  ~InputFile() {
    if (fd_ >= 0) ::close(fd_);
  }

  [[nodiscard]] std::uint64_t size() const { return size_; }

  // Reads up to buffer.size() bytes; 0 at the end.
  Result<std::size_t> read(std::span<std::uint8_t> buffer) {
    while (true) {
      const ssize_t n = ::read(fd_, buffer.data(), buffer.size());
      if (n >= 0) return static_cast<std::size_t>(n);
      if (errno != EINTR) return unavailable("reading " + name_ + ": " + std::strerror(errno));
    }
  }

  Status rewind() {
    if (::lseek(fd_, 0, SEEK_SET) != 0)
      return unavailable("seeking " + name_ + ": " + std::strerror(errno));
    return ok_status();
  }

 private:
  InputFile(int fd, std::uint64_t size, std::string name)
      : fd_(fd), size_(size), name_(std::move(name)) {}
  int fd_;
  std::uint64_t size_;
  std::string name_;
};

// The Merkle root of a stream of bytes cut into chunks of `chunk_size` (as the node's store cuts
// them), in O(chunk_size + log n) memory.
class ChunkHasher {
 public:
  explicit ChunkHasher(std::uint32_t chunk_size) : chunk_size_(chunk_size) {
    pending_.reserve(chunk_size);
  }
  void add(ByteView piece) {
    while (!piece.empty()) {
      const std::size_t take = std::min<std::size_t>(chunk_size_ - pending_.size(), piece.size());
      pending_.insert(pending_.end(), piece.begin(),
                      piece.begin() + static_cast<std::ptrdiff_t>(take));
      piece = piece.subspan(take);
      if (pending_.size() == chunk_size_) {
        (void)builder_.append_leaf(pending_);
        pending_.clear();
      }
    }
  }
  Hash32 finish() {
    if (!pending_.empty()) (void)builder_.append_leaf(pending_);
    pending_.clear();
    return builder_.root();
  }

 private:
  std::uint32_t chunk_size_;
  Bytes pending_;
  sdk::MerkleBuilder builder_;
};

// At most `max` bytes of `text`, never cutting a UTF-8 sequence in two (a file name may be any
// bytes; the DDO writer replaces invalid UTF-8, which must not push it past the limit).
std::string utf8_prefix(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

std::string iso_time(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// keccak256(abi.encode(seed, publisher)): the DID the registry will derive.
Hash32 derive_did(const Hash32& seed, const eth::Address& publisher) {
  std::array<std::uint8_t, 64> word{};
  std::copy(seed.begin(), seed.end(), word.begin());
  const auto& a = publisher.bytes();
  std::copy(a.begin(), a.end(), word.begin() + 44);
  return eth::keccak256(word);
}

Status check_request(const PublishRequest& r) {
  if (r.fees.size() > kMaxFees) {
    return invalid_argument("at most " + std::to_string(kMaxFees) +
                            " fees (the engine pays 8 receivers, the publisher first)");
  }
  eth::U256 total = r.price;
  for (const auto& fee : r.fees) {
    if (fee.receiver.is_zero()) return invalid_argument("a fee receiver is the zero address");
    auto sum = eth::checked_add(total, fee.amount);
    if (!sum.ok()) return invalid_argument("the price and fees add up to more than 2^256 - 1 wei");
    total = *sum;
  }
  if (r.name.size() > kMaxNameLength) {
    return invalid_argument("the name is over " + std::to_string(kMaxNameLength) + " bytes");
  }
  if (r.access_timeout_seconds == 0 || r.access_timeout_seconds > 365ull * 24 * 3600) {
    return invalid_argument("the access time out must be 1 s .. 1 year");
  }
  return ok_status();
}

struct UploadAnswer {
  std::string upload_id;
  Hash32 checksum{};
  std::uint64_t size = 0;
  std::uint32_t chunk_size = 0;
  std::uint64_t chunk_count = 0;
};

Result<UploadAnswer> parse_upload_answer(const std::string& body) {
  Json j = Json::parse(body, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return data_loss("the node's upload answer is not JSON");
  UploadAnswer a;
  if (!j.contains("upload_id") || !j["upload_id"].is_string() ||
      j["upload_id"].get<std::string>().size() > 64) {
    return data_loss("the node's upload answer has no upload_id");
  }
  a.upload_id = j["upload_id"].get<std::string>();
  if (!j.contains("checksum") || !j["checksum"].is_string())
    return data_loss("the node's upload answer has no checksum");
  auto sum = fixed_from_hex<32>(j["checksum"].get<std::string>());
  if (!sum.ok()) return data_loss("the node's upload checksum: " + sum.error().message());
  a.checksum = *sum;
  for (const char* m : {"size", "chunk_size", "chunk_count"}) {
    if (!j.contains(m) || !j[m].is_number_unsigned())
      return data_loss(std::string("the node's upload answer has no ") + m);
  }
  a.size = j["size"].get<std::uint64_t>();
  const auto cs = j["chunk_size"].get<std::uint64_t>();
  if (!sdk::validate_chunk_size(cs).ok()) {
    return data_loss("the node's upload chunk_size " + std::to_string(cs) +
                     " is not a valid chunk size");
  }
  a.chunk_size = static_cast<std::uint32_t>(cs);
  a.chunk_count = j["chunk_count"].get<std::uint64_t>();
  return a;
}

}  // namespace

Result<PublishResult> Client::publish(const PublishRequest& request, const ProgressFn& progress) {
  PACTUM_TRY_STATUS(impl_->need_key("publish"));
  PACTUM_TRY_STATUS(check_request(request));
  PACTUM_TRY(InputFile file, InputFile::open(request.file));
  PACTUM_TRY(eth::Address node, node_address());
  if (!request.token.is_zero()) {
    // A price nobody could pay: refused before the upload, not discovered by the first buyer.
    auto token = impl_->token_funds(request.token, address(), impl_->engine);
    if (!token.ok()) {
      if (token.error().code() != ErrorCode::kFailedPrecondition) return std::move(token).error();
      return invalid_argument(token.error().message());
    }
  }

  // 1. Upload, hashing as it goes (with the node's default chunk size; another one is hashed
  //    again below).
  PACTUM_TRY(HeaderList upload_headers,
             impl_->signed_headers(sdk::NodeAction::kUpload, Hash32{}, node));
  ChunkHasher hasher(sdk::kDefaultChunkSize);
  std::uint64_t sent = 0;
  const std::uint64_t size = file.size();
  if (progress) progress(0, size);
  PACTUM_TRY(NodeReply up,
             impl_->node.upload("POST", "/api/v1/uploads", upload_headers, size,
                                [&](std::span<std::uint8_t> buf) -> Result<std::size_t> {
                                  PACTUM_TRY(std::size_t n, file.read(buf));
                                  hasher.add(ByteView(buf.data(), n));
                                  sent += n;
                                  if (progress) progress(sent, size);
                                  return n;
                                }));
  if (up.status != 201 && up.status != 200)
    return node_error(up, "upload to " + impl_->node.base_url());
  PACTUM_TRY(UploadAnswer answer, parse_upload_answer(up.body));
  Hash32 root = hasher.finish();
  if (answer.chunk_size != sdk::kDefaultChunkSize) {
    PACTUM_TRY_STATUS(file.rewind());
    ChunkHasher again(answer.chunk_size);
    Bytes buf(std::size_t{1} << 20);
    while (true) {
      PACTUM_TRY(std::size_t n, file.read(buf));
      if (n == 0) break;
      again.add(ByteView(buf.data(), n));
    }
    root = again.finish();
  }
  if (answer.size != size || answer.checksum != root) {
    return data_loss("the node stored " + std::to_string(answer.size) + " bytes with checksum " +
                     to_hex(answer.checksum) + "; the file has " + std::to_string(size) +
                     " bytes with checksum " + to_hex(root));
  }

  // 2. Register on chain: the checksum computed here, the node as provider.
  PACTUM_TRY(Hash32 seed, random_word());
  const eth::Address publisher = address();
  const Hash32 did = derive_did(seed, publisher);
  const std::string did_text = sdk::format_did(did);
  const std::string ddo_url = impl_->node.base_url() + "/api/v1/assets/" + did_text;
  PACTUM_TRY(auto reg_data,
             Registry::encode_register(seed, root, ddo_url, std::vector<eth::Address>{node}));
  PublishResult out;
  PACTUM_TRY(rpc::Receipt reg, impl_->send("AssetRegistry.register", impl_->registry, reg_data,
                                           eth::U256(), out.transactions));
  bool registered = false;
  for (const auto& log : reg.logs) {
    if (log.address != impl_->registry || log.topics.empty() ||
        log.topics[0] != Registry::kTopic_AssetRegistered)
      continue;
    auto event = Registry::decode_AssetRegistered(log);
    if (event.ok() && event->did == did) registered = true;
  }
  if (!registered) {
    return data_loss("the registration receipt has no AssetRegistered event for " + did_text);
  }

  // 3. The DDO, stored at the node (which checks it against the chain once more).
  Payment payment;
  payment.token = request.token;
  payment.receivers.push_back(publisher);
  payment.amounts.push_back(request.price);
  for (const auto& fee : request.fees) {
    payment.receivers.push_back(fee.receiver);
    payment.amounts.push_back(fee.amount);
  }
  const std::string name = request.name.empty() ? request.file.filename().string() : request.name;
  sdk::Ddo ddo;
  ddo.did = did;
  ddo.chain_id = impl_->chain_id;
  ddo.controller = publisher;
  ddo.created = iso_time(impl_->now());
  ddo.metadata.endpoint = ddo_url;
  ddo.metadata.name = utf8_prefix(name, kMaxNameLength);
  ddo.metadata.content_type = "application/octet-stream";
  ddo.metadata.size = size;
  ddo.metadata.chunk_size = answer.chunk_size;
  ddo.metadata.chunk_count = answer.chunk_count;
  ddo.metadata.checksum = root;
  ddo.access.endpoint = impl_->node.base_url() + "/api/v1/access";
  ddo.access.provider = node;
  ddo.access.template_id = impl_->paid_access;
  ddo.access.payment = sdk::to_payment_terms(payment);
  ddo.access.access_timeout_seconds = request.access_timeout_seconds;
  const std::string ddo_text = sdk::write_ddo(ddo);
  // Written by hand around the DDO's text: the upload id is a short token (checked above).
  const std::string body =
      "{\"upload_id\":" + Json(answer.upload_id).dump() + ",\"ddo\":" + ddo_text + "}";
  PACTUM_TRY(HeaderList publish_headers,
             impl_->signed_headers(sdk::NodeAction::kPublish, did, node));
  PACTUM_TRY(NodeReply put, impl_->node.request("PUT", "/api/v1/assets/" + did_text,
                                                publish_headers, body, "application/json"));
  if (put.status != 200 && put.status != 201)
    return node_error(put, "publishing " + did_text + " at " + impl_->node.base_url());

  out.did = did;
  out.checksum = root;
  out.size = size;
  out.chunk_size = answer.chunk_size;
  out.chunk_count = answer.chunk_count;
  out.upload_id = answer.upload_id;
  out.provider = node;
  out.payment = std::move(payment);
  out.ddo_json = ddo_text;
  return out;
}

}  // namespace pactum::client
