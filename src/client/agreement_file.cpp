// Agreement files: <agreements_dir>/<agreement id>.json, the params every later call on the
// engine needs, and where to download from; written through a temporary file and renamed.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "client_internal.hpp"
#include "pactum/eth/keccak.hpp"

namespace pactum::client {

using Json = nlohmann::json;
using Engine = contracts::AgreementEngine;

namespace {

Json u64_list(const std::vector<std::uint64_t>& v) {
  Json out = Json::array();
  for (auto x : v) out.push_back(std::to_string(x));
  return out;
}

std::filesystem::path agreement_path(const std::filesystem::path& dir, const Hash32& id) {
  return dir / (to_hex(id) + ".json");
}

}  // namespace

std::string agreement_file_json(const Hash32& id, const StoredAgreement& agreement) {
  const AgreementParams& p = agreement.params;
  Json receivers = Json::array(), amounts = Json::array();
  for (const auto& r : p.payment.receivers) receivers.push_back(r.to_checksum_string());
  for (const auto& a : p.payment.amounts) amounts.push_back(a.to_dec());
  Json submitted = Json::array();
  for (const auto& t : agreement.submitted) {
    submitted.push_back({{"what", t.what}, {"hash", to_hex(t.hash)}});
  }
  Json doc = {{"version", 2},
              {"agreement_id", to_hex(id)},
              {"state", agreement.state == AgreementState::kPending ? "pending" : "made"},
              {"chain_id", agreement.chain_id},
              {"engine", agreement.engine ? agreement.engine->to_checksum_string() : ""},
              {"node_url", agreement.node_url},
              {"rpc_url", agreement.rpc_url},
              {"access_endpoint", agreement.access_endpoint},
              {"provider", agreement.provider ? agreement.provider->to_checksum_string() : ""},
              {"seed", agreement.seed ? to_hex(*agreement.seed) : ""},
              {"ordered_at", agreement.ordered_at},
              {"from_block", agreement.from_block},
              {"transaction", agreement.transaction ? to_hex(*agreement.transaction) : ""},
              {"transactions", submitted},
              {"params",
               {{"templateId", to_hex(p.template_id)},
                {"did", to_hex(p.did)},
                {"consumer", p.consumer.to_checksum_string()},
                {"purpose", to_hex(p.purpose)},
                {"validFrom", std::to_string(p.valid_from)},
                {"validUntil", std::to_string(p.valid_until)},
                {"timeLocks", u64_list(p.time_locks)},
                {"timeOuts", u64_list(p.time_outs)},
                {"payment",
                 {{"token", p.payment.token.to_checksum_string()},
                  {"receivers", receivers},
                  {"amounts", amounts}}},
                {"nft",
                 {{"nft", p.nft.nft.to_checksum_string()},
                  {"standard", static_cast<int>(p.nft.standard)},
                  {"tokenId", p.nft.token_id.to_dec()},
                  {"amount", p.nft.amount.to_dec()},
                  {"seller", p.nft.seller.to_checksum_string()}}}}}};
  return doc.dump(2) + "\n";
}

Result<StoredAgreement> agreement_from_json(std::string_view text, const Hash32& id) {
  Json doc = Json::parse(text, nullptr, false);
  auto bad = [&](std::string_view what) {
    return data_loss("the agreement file of " + to_hex(id) + " is corrupt: " + std::string(what));
  };
  if (doc.is_discarded() || !doc.is_object()) return bad("not a JSON object");
  if (doc.value("agreement_id", Json()) != to_hex(id)) return bad("it names another agreement");
  const Json p = doc.value("params", Json());
  if (!p.is_object()) return bad("no params");
  auto str = [&](const Json& j, const char* m) -> Result<std::string> {
    if (!j.contains(m) || !j[m].is_string()) return bad(std::string(m) + " is missing");
    return j[m].get<std::string>();
  };
  auto hash = [&](const Json& j, const char* m) -> Result<Hash32> {
    PACTUM_TRY(std::string s, str(j, m));
    auto h = fixed_from_hex<32>(s);
    if (!h.ok()) return bad(std::string(m) + ": " + h.error().message());
    return *h;
  };
  auto address = [&](const Json& j, const char* m) -> Result<eth::Address> {
    PACTUM_TRY(std::string s, str(j, m));
    auto a = eth::Address::parse(s);
    if (!a.ok()) return bad(std::string(m) + ": " + a.error().message());
    return *a;
  };
  auto u256 = [&](const Json& j, const char* m) -> Result<eth::U256> {
    PACTUM_TRY(std::string s, str(j, m));
    auto v = eth::U256::from_dec(s);
    if (!v.ok()) return bad(std::string(m) + ": " + v.error().message());
    return *v;
  };
  auto u64 = [&](const eth::U256& v, const char* m) -> Result<std::uint64_t> {
    if (!eth::fits_unsigned_bits(v, 64)) return bad(std::string(m) + " is over 64 bits");
    return v.limb(0);
  };
  auto u64_array = [&](const char* m) -> Result<std::vector<std::uint64_t>> {
    if (!p.contains(m) || !p[m].is_array() || p[m].size() > 8) return bad(std::string(m));
    std::vector<std::uint64_t> out;
    for (const auto& x : p[m]) {
      if (!x.is_string()) return bad(std::string(m));
      auto v = eth::U256::from_dec(x.get<std::string>());
      if (!v.ok()) return bad(std::string(m));
      PACTUM_TRY(auto n, u64(*v, m));
      out.push_back(n);
    }
    return out;
  };
  AgreementParams out;
  PACTUM_TRY(out.template_id, hash(p, "templateId"));
  PACTUM_TRY(out.did, hash(p, "did"));
  PACTUM_TRY(out.consumer, address(p, "consumer"));
  PACTUM_TRY(out.purpose, hash(p, "purpose"));
  PACTUM_TRY(auto from, u256(p, "validFrom"));
  PACTUM_TRY(out.valid_from, u64(from, "validFrom"));
  PACTUM_TRY(auto until, u256(p, "validUntil"));
  PACTUM_TRY(out.valid_until, u64(until, "validUntil"));
  PACTUM_TRY(out.time_locks, u64_array("timeLocks"));
  PACTUM_TRY(out.time_outs, u64_array("timeOuts"));
  const Json pay = p.value("payment", Json());
  if (!pay.is_object()) return bad("no payment");
  PACTUM_TRY(out.payment.token, address(pay, "token"));
  const Json receivers = pay.value("receivers", Json());
  const Json amounts = pay.value("amounts", Json());
  if (!receivers.is_array() || !amounts.is_array() || receivers.size() != amounts.size() ||
      receivers.size() > 8) {
    return bad("payment receivers and amounts");
  }
  for (const auto& r : receivers) {
    if (!r.is_string()) return bad("payment.receivers");
    auto a = eth::Address::parse(r.get<std::string>());
    if (!a.ok()) return bad("payment.receivers");
    out.payment.receivers.push_back(*a);
  }
  for (const auto& m : amounts) {
    if (!m.is_string()) return bad("payment.amounts");
    auto v = eth::U256::from_dec(m.get<std::string>());
    if (!v.ok()) return bad("payment.amounts");
    out.payment.amounts.push_back(*v);
  }
  const Json nft = p.value("nft", Json());
  if (!nft.is_object()) return bad("no nft");
  PACTUM_TRY(out.nft.nft, address(nft, "nft"));
  const Json standard = nft.value("standard", Json());
  if (!standard.is_number_unsigned() || standard.get<unsigned>() > 1) return bad("nft.standard");
  out.nft.standard = static_cast<Engine::NftStandard>(standard.get<unsigned>());
  PACTUM_TRY(out.nft.token_id, u256(nft, "tokenId"));
  PACTUM_TRY(out.nft.amount, u256(nft, "amount"));
  PACTUM_TRY(out.nft.seller, address(nft, "seller"));
  StoredAgreement stored;
  stored.params = std::move(out);
  // Absent from files written before endpoints were kept; checked again where used.
  if (doc.contains("access_endpoint") && doc["access_endpoint"].is_string()) {
    stored.access_endpoint = doc["access_endpoint"].get<std::string>();
  }
  if (doc.contains("provider") && doc["provider"].is_string() &&
      !doc["provider"].get<std::string>().empty()) {
    PACTUM_TRY(stored.provider, address(doc, "provider"));
  }
  // Version 1 files have none of what follows: they are made, without seed or engine.
  const Json state = doc.value("state", Json("made"));
  if (state == "pending") {
    stored.state = AgreementState::kPending;
  } else if (state != "made") {
    return bad("state is neither pending nor made");
  }
  auto optional_hash = [&](const char* m) -> Result<std::optional<Hash32>> {
    if (!doc.contains(m) || (doc[m].is_string() && doc[m].get<std::string>().empty())) {
      return std::optional<Hash32>();
    }
    PACTUM_TRY(Hash32 h, hash(doc, m));
    return std::optional<Hash32>(h);
  };
  auto unsigned_member = [&](const char* m) -> Result<std::uint64_t> {
    if (!doc.contains(m)) return std::uint64_t{0};
    if (!doc[m].is_number_unsigned()) return bad(std::string(m) + " is not a number");
    return doc[m].get<std::uint64_t>();
  };
  PACTUM_TRY(stored.seed, optional_hash("seed"));
  PACTUM_TRY(stored.transaction, optional_hash("transaction"));
  PACTUM_TRY(stored.chain_id, unsigned_member("chain_id"));
  PACTUM_TRY(stored.from_block, unsigned_member("from_block"));
  PACTUM_TRY(std::uint64_t ordered_at, unsigned_member("ordered_at"));
  stored.ordered_at = static_cast<std::int64_t>(ordered_at);
  if (doc.contains("engine") && doc["engine"].is_string() &&
      !doc["engine"].get<std::string>().empty()) {
    PACTUM_TRY(stored.engine, address(doc, "engine"));
  }
  if (doc.contains("node_url") && doc["node_url"].is_string()) {
    stored.node_url = doc["node_url"].get<std::string>();
  }
  if (doc.contains("rpc_url")) {
    if (!doc["rpc_url"].is_string() || doc["rpc_url"].get_ref<const std::string&>().size() > 2048) {
      return bad("rpc_url is not a URL");
    }
    stored.rpc_url = doc["rpc_url"].get<std::string>();
  }
  if (doc.contains("transactions")) {
    const Json& list = doc["transactions"];
    if (!list.is_array() || list.size() > 64) return bad("transactions");
    for (const auto& t : list) {
      if (!t.is_object()) return bad("transactions");
      SubmittedTransaction one;
      PACTUM_TRY(std::string what, str(t, "what"));
      one.what = what.substr(0, 64);
      PACTUM_TRY(one.hash, hash(t, "hash"));
      stored.submitted.push_back(std::move(one));
    }
  }
  if (stored.state == AgreementState::kPending && !stored.seed) {
    return bad("a pending agreement without its seed");
  }
  return stored;
}

Status write_file_atomically(const std::filesystem::path& path, std::string_view text) {
  const std::filesystem::path dir = path.parent_path();
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return permission_denied("cannot create " + dir.string() + ": " + ec.message());
    // Agreements name what this account bought: for its owner only.
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
  }
  std::string tmp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
  const int fd = ::mkstemp(tmp.data());
  if (fd < 0) {
    return permission_denied("cannot write in " + dir.string() + ": " + std::strerror(errno));
  }
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(tmp.c_str());
      return unavailable("cannot write " + tmp + ": " + why);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    ::unlink(tmp.c_str());
    return unavailable("cannot write " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(tmp.c_str());
    return unavailable("cannot rename " + tmp + " to " + path.string() + ": " + why);
  }
  // The rename is durable only once the directory is: a pending order's file must survive a
  // crash that follows at once.
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0 || ::fsync(dir_fd) != 0) {
    const std::string why = std::strerror(errno);
    if (dir_fd >= 0) ::close(dir_fd);
    return unavailable("cannot sync " + dir.string() + ": " + why);
  }
  ::close(dir_fd);
  return ok_status();
}

Hash32 compute_agreement_id(const Hash32& seed, const eth::Address& creator) {
  // abi.encode(bytes32, address): the seed, then the address left-padded to 32 bytes.
  Bytes encoded(seed.begin(), seed.end());
  encoded.resize(64, 0);
  const auto& address = creator.bytes();
  std::copy(address.begin(), address.end(), encoded.begin() + 44);
  return eth::keccak256(encoded);
}

std::filesystem::path Client::Impl::agreement_file(const Hash32& id) const {
  return agreement_path(config.agreements_dir, id);
}

Status Client::Impl::save_agreement(const Hash32& id, const StoredAgreement& stored) const {
  return write_file_atomically(agreement_file(id), agreement_file_json(id, stored));
}

std::vector<std::pair<Hash32, StoredAgreement>> Client::Impl::agreement_files() const {
  std::vector<std::pair<Hash32, StoredAgreement>> out;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(config.agreements_dir, ec)) {
    const std::string name = entry.path().filename().string();
    // Only "<id>.json": temporary files start with '.', anything else is not ours.
    if (name.size() != 66 + 5 || !name.ends_with(".json")) continue;
    auto id = parse_agreement_id(name.substr(0, 66));
    if (!id.ok()) continue;
    auto stored = stored_agreement(*id);
    if (stored.ok()) out.emplace_back(*id, std::move(stored).value());
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.second.ordered_at != b.second.ordered_at ? a.second.ordered_at < b.second.ordered_at
                                                      : a.first < b.first;
  });
  return out;
}

Result<AgreementParams> Client::stored_params(const Hash32& agreement_id) const {
  PACTUM_TRY(StoredAgreement stored, impl_->stored_agreement(agreement_id));
  return std::move(stored.params);
}

namespace {

// Reads and parses the agreement file of `id` in `dir` (at most 1 MiB).
Result<StoredAgreement> read_agreement_file(const std::filesystem::path& dir, const Hash32& id) {
  const auto path = agreement_path(dir, id);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      return not_found("no agreement " + to_hex(id) + " was ordered here (" + path.string() +
                       " does not exist; `pactum order` writes it)");
    }
    return permission_denied("cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::string text;
  char buf[8192];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    text.append(buf, static_cast<std::size_t>(n));
    if (text.size() > (std::size_t{1} << 20)) {
      ::close(fd);
      return data_loss(path.string() + " is over 1 MiB: not an agreement file");
    }
  }
  ::close(fd);
  return agreement_from_json(text, id);
}

}  // namespace

Result<std::string> recorded_rpc_url(const std::filesystem::path& agreements_dir,
                                     const Hash32& id) {
  PACTUM_TRY(StoredAgreement stored, read_agreement_file(agreements_dir, id));
  return stored.rpc_url;
}

Result<StoredAgreement> Client::Impl::stored_agreement(const Hash32& agreement_id) const {
  return read_agreement_file(config.agreements_dir, agreement_id);
}

}  // namespace pactum::client
