#include "pactum/eth/transaction.hpp"

#include <string>

#include "pactum/eth/keccak.hpp"
#include "pactum/eth/rlp.hpp"

namespace pactum::eth {
namespace {

Error tx_error(const std::string& what) {
  return invalid_argument("transaction: " + what);
}

void append_to(Bytes& out, const std::optional<Address>& to) {
  if (to) {
    rlp_append_string(out, to->view());
  } else {
    rlp_append_string(out, ByteView{});
  }
}

void append_access_list(Bytes& out, const std::vector<AccessListEntry>& list) {
  Bytes entries;
  for (const AccessListEntry& e : list) {
    Bytes entry;
    rlp_append_string(entry, e.address.view());
    Bytes keys;
    for (const Hash32& k : e.storage_keys) rlp_append_string(keys, k);
    rlp_append_list_header(entry, keys.size());
    entry.insert(entry.end(), keys.begin(), keys.end());
    rlp_append_list_header(entries, entry.size());
    entries.insert(entries.end(), entry.begin(), entry.end());
  }
  rlp_append_list_header(out, entries.size());
  out.insert(out.end(), entries.begin(), entries.end());
}

// The RLP list payload (no header) of the fields common to signing and serialization.
Bytes fields_payload(const Transaction& tx) {
  Bytes p;
  if (tx.type == TxType::kLegacy) {
    rlp_append_uint(p, tx.nonce);
    rlp_append_uint(p, tx.gas_price);
    rlp_append_uint(p, tx.gas_limit);
    append_to(p, tx.to);
    rlp_append_uint(p, tx.value);
    rlp_append_string(p, tx.data);
    return p;
  }
  // Typed (EIP-2930, EIP-1559): chainId, nonce, the fee fields, then the same five.
  rlp_append_uint(p, *tx.chain_id);
  rlp_append_uint(p, tx.nonce);
  if (tx.type == TxType::kEip2930) {
    rlp_append_uint(p, tx.gas_price);
  } else {
    rlp_append_uint(p, tx.max_priority_fee_per_gas);
    rlp_append_uint(p, tx.max_fee_per_gas);
  }
  rlp_append_uint(p, tx.gas_limit);
  append_to(p, tx.to);
  rlp_append_uint(p, tx.value);
  rlp_append_string(p, tx.data);
  append_access_list(p, tx.access_list);
  return p;
}

Bytes wrap(const Transaction& tx, const Bytes& payload) {
  Bytes out;
  out.reserve(payload.size() + 10);
  if (tx.type != TxType::kLegacy) out.push_back(static_cast<std::uint8_t>(tx.type));
  rlp_append_list_header(out, payload.size());
  out.insert(out.end(), payload.begin(), payload.end());
  return out;
}

Result<Address> decode_to(const RlpItem& item) {
  PACTUM_TRY(Bytes b, item.as_bytes());
  if (b.empty()) return Address{};  // caller maps empty to "creation"
  if (b.size() != 20)
    return tx_error("'to' of " + std::to_string(b.size()) + " bytes, expected 20 or empty");
  return Address::from_bytes(b);
}

Result<std::vector<AccessListEntry>> decode_access_list(const RlpItem& item) {
  PACTUM_TRY(std::vector<RlpItem> entries, item.as_list());
  std::vector<AccessListEntry> out;
  for (const RlpItem& e : entries) {
    PACTUM_TRY(std::vector<RlpItem> pair, e.as_list());
    if (pair.size() != 2)
      return tx_error("access list entry with " + std::to_string(pair.size()) +
                      " fields, expected 2");
    PACTUM_TRY(Bytes address, pair[0].as_bytes());
    if (address.size() != 20)
      return tx_error("access list address of " + std::to_string(address.size()) + " bytes");
    AccessListEntry entry;
    entry.address = Address::from_bytes(address).value();
    PACTUM_TRY(std::vector<RlpItem> keys, pair[1].as_list());
    for (const RlpItem& k : keys) {
      PACTUM_TRY(Bytes key, k.as_bytes());
      if (key.size() != 32)
        return tx_error("access list storage key of " + std::to_string(key.size()) + " bytes");
      Hash32 h;
      std::copy(key.begin(), key.end(), h.begin());
      entry.storage_keys.push_back(h);
    }
    out.push_back(std::move(entry));
  }
  return out;
}

Result<Hash32> decode_scalar(const RlpItem& item, const char* name) {
  auto v = item.as_uint();
  if (!v.ok()) return v.error().with_context(std::string("transaction ") + name);
  return v->to_word();
}

Result<U256> field_uint(const RlpItem& item, const char* name) {
  auto v = item.as_uint();
  if (!v.ok()) return v.error().with_context(std::string("transaction ") + name);
  return *v;
}

Result<std::uint64_t> field_u64(const RlpItem& item, const char* name) {
  auto v = item.as_u64();
  if (!v.ok()) return v.error().with_context(std::string("transaction ") + name);
  return *v;
}

Result<SignedTransaction> decode_legacy(const std::vector<RlpItem>& f) {
  if (f.size() != 9)
    return tx_error("legacy transaction with " + std::to_string(f.size()) + " fields, expected 9");
  SignedTransaction st;
  Transaction& tx = st.tx;
  tx.type = TxType::kLegacy;
  PACTUM_TRY(tx.nonce, field_u64(f[0], "nonce"));
  PACTUM_TRY(tx.gas_price, field_uint(f[1], "gasPrice"));
  PACTUM_TRY(tx.gas_limit, field_u64(f[2], "gas"));
  PACTUM_TRY(Address to, decode_to(f[3]));
  if (!f[3].bytes().empty()) tx.to = to;
  PACTUM_TRY(tx.value, field_uint(f[4], "value"));
  PACTUM_TRY(tx.data, f[5].as_bytes());
  PACTUM_TRY(U256 v, field_uint(f[6], "v"));
  if (v == U256(27) || v == U256(28)) {
    st.signature.recovery_id = static_cast<std::uint8_t>(v.low64() - 27);
  } else if (v >= U256(37)) {
    const U256 chain = (v - U256(35)) / U256(2);
    if (!chain.fits_u64()) return tx_error("chain id in v " + v.to_dec() + " exceeds 64 bits");
    tx.chain_id = chain.low64();
    st.signature.recovery_id = static_cast<std::uint8_t>(((v - U256(35)) % U256(2)).low64());
  } else {
    return tx_error("legacy v " + v.to_dec() + " is neither 27/28 nor EIP-155 (≥ 37)");
  }
  PACTUM_TRY(st.signature.r, decode_scalar(f[7], "r"));
  PACTUM_TRY(st.signature.s, decode_scalar(f[8], "s"));
  return st;
}

// A typed transaction (EIP-2930: `kind` kEip2930, 11 fields; EIP-1559: 12): chainId, nonce, its
// fee fields, then gas, to, value, data, accessList, yParity, r, s.
Result<SignedTransaction> decode_typed(const std::vector<RlpItem>& f, TxType kind) {
  const bool is_2930 = kind == TxType::kEip2930;
  const std::size_t want = is_2930 ? 11 : 12;
  if (f.size() != want) {
    return tx_error(std::string(is_2930 ? "EIP-2930" : "EIP-1559") + " transaction with " +
                    std::to_string(f.size()) + " fields, expected " + std::to_string(want));
  }
  SignedTransaction st;
  Transaction& tx = st.tx;
  tx.type = kind;
  PACTUM_TRY(std::uint64_t chain, field_u64(f[0], "chainId"));
  tx.chain_id = chain;
  PACTUM_TRY(tx.nonce, field_u64(f[1], "nonce"));
  std::size_t i = 2;
  if (is_2930) {
    PACTUM_TRY(tx.gas_price, field_uint(f[i++], "gasPrice"));
  } else {
    PACTUM_TRY(tx.max_priority_fee_per_gas, field_uint(f[i++], "maxPriorityFeePerGas"));
    PACTUM_TRY(tx.max_fee_per_gas, field_uint(f[i++], "maxFeePerGas"));
  }
  PACTUM_TRY(tx.gas_limit, field_u64(f[i++], "gas"));
  PACTUM_TRY(Address to, decode_to(f[i]));
  if (!f[i++].bytes().empty()) tx.to = to;
  PACTUM_TRY(tx.value, field_uint(f[i++], "value"));
  PACTUM_TRY(tx.data, f[i++].as_bytes());
  PACTUM_TRY(tx.access_list, decode_access_list(f[i++]));
  PACTUM_TRY(std::uint64_t parity, field_u64(f[i++], "yParity"));
  if (parity > 1) return tx_error("yParity " + std::to_string(parity) + " is not 0 or 1");
  st.signature.recovery_id = static_cast<std::uint8_t>(parity);
  PACTUM_TRY(st.signature.r, decode_scalar(f[i++], "r"));
  PACTUM_TRY(st.signature.s, decode_scalar(f[i], "s"));
  return st;
}

}  // namespace

Result<Bytes> unsigned_payload(const Transaction& tx) {
  if (tx.type == TxType::kEip1559 && !tx.chain_id) {
    return tx_error("an EIP-1559 transaction needs a chain id");
  }
  if (tx.type == TxType::kEip2930 && !tx.chain_id) {
    return tx_error("an EIP-2930 transaction needs a chain id");
  }
  if (tx.type != TxType::kLegacy && tx.type != TxType::kEip2930 && tx.type != TxType::kEip1559) {
    return tx_error("unknown transaction type " + std::to_string(static_cast<int>(tx.type)));
  }
  if (tx.type == TxType::kEip1559 && tx.max_priority_fee_per_gas > tx.max_fee_per_gas) {
    return tx_error("maxPriorityFeePerGas " + tx.max_priority_fee_per_gas.to_dec() +
                    " exceeds maxFeePerGas " + tx.max_fee_per_gas.to_dec());
  }
  Bytes payload = fields_payload(tx);
  if (tx.type == TxType::kLegacy && tx.chain_id) {
    rlp_append_uint(payload, *tx.chain_id);
    rlp_append_uint(payload, 0);
    rlp_append_uint(payload, 0);
  }
  return wrap(tx, payload);
}

Result<Hash32> signing_hash(const Transaction& tx) {
  PACTUM_TRY(Bytes payload, unsigned_payload(tx));
  return keccak256(payload);
}

U256 SignedTransaction::legacy_v() const {
  if (!tx.chain_id) return U256(27u + signature.recovery_id);
  return U256(*tx.chain_id) * U256(2) + U256(35u + signature.recovery_id);
}

Bytes SignedTransaction::serialize() const {
  Bytes payload = fields_payload(tx);
  if (tx.type != TxType::kLegacy) {
    rlp_append_uint(payload, signature.recovery_id);
  } else {
    rlp_append_uint(payload, legacy_v());
  }
  rlp_append_uint(payload, U256::from_word(signature.r));
  rlp_append_uint(payload, U256::from_word(signature.s));
  return wrap(tx, payload);
}

Hash32 SignedTransaction::hash() const {
  return keccak256(serialize());
}

Result<Address> SignedTransaction::sender() const {
  PACTUM_TRY(Hash32 h, signing_hash(tx));
  return recover_address(h, signature);
}

Result<SignedTransaction> sign_transaction(Transaction tx, const PrivateKey& key) {
  PACTUM_TRY(Hash32 h, signing_hash(tx));
  SignedTransaction st{std::move(tx), sign_hash(key, h)};
  return st;
}

Result<SignedTransaction> decode_transaction(ByteView raw) {
  if (raw.empty()) return tx_error("empty raw transaction");
  if (raw[0] >= 0xc0) {
    PACTUM_TRY(RlpItem item, rlp_decode(raw));
    PACTUM_TRY(std::vector<RlpItem> fields, item.as_list());
    return decode_legacy(fields);
  }
  if (raw[0] == 0x01) {
    PACTUM_TRY(RlpItem item, rlp_decode(raw.subspan(1)));
    if (!item.is_list()) return tx_error("EIP-2930 payload is not an RLP list");
    return decode_typed(item.items(), TxType::kEip2930);
  }
  if (raw[0] == 0x02) {
    PACTUM_TRY(RlpItem item, rlp_decode(raw.subspan(1)));
    if (!item.is_list()) return tx_error("EIP-1559 payload is not an RLP list");
    return decode_typed(item.items(), TxType::kEip1559);
  }
  if (raw[0] <= 0x7f) {
    return unimplemented("transaction type 0x" + to_hex(raw.subspan(0, 1), false) +
                         " is not supported (legacy, 0x01 and 0x02 are)");
  }
  return tx_error("raw transaction starts with 0x" + to_hex(raw.subspan(0, 1), false) +
                  ", neither a type byte nor an RLP list");
}

}  // namespace pactum::eth
