// Differential oracle for tests/eth_abi_oracle: computes with ethers what pactum::eth's encoding
// code computes, for a whole batch of cases in one run.
// stdin:  {"abi": [{"types": ["uint256", ...], "values": [...]}],
//          "rlp": [nested arrays of "0x…" strings],
//          "tx":  [{"key": "0x…", "tx": {type, chainId, nonce, gasPrice | maxFeePerGas +
//                   maxPriorityFeePerGas, gasLimit, to, value, data, accessList}}],
//          "abiJson": ["/path/to/artifact.json", ...]}
//         (integers as decimal strings; ABI tuples and arrays as JSON arrays; bytes as hex)
// stdout: {"abi": ["0x…"], "rlp": ["0x…"], "tx": [{"unsigned", "signingHash", "raw", "hash"}],
//          "abiJson": [{"functions": [[sighash, selector]], "events": [[sighash, topic]],
//          "errors": [[sighash, selector]]}]}, one answer per case in order; a case ethers
//          rejects gives {"error": message} in its place.
import { readFileSync } from "node:fs";
import {
  AbiCoder, Interface, Transaction, Wallet, encodeRlp,
} from "../../node_modules/ethers/lib.esm/index.js";

const input = JSON.parse(readFileSync(0, "utf8"));

function guarded(fn) {
  return (x) => {
    try {
      return fn(x);
    } catch (e) {
      return { error: String(e.shortMessage || e.message || e) };
    }
  };
}

const coder = AbiCoder.defaultAbiCoder();
const out = {};
out.abi = (input.abi || []).map(guarded(({ types, values }) => coder.encode(types, values)));
out.rlp = (input.rlp || []).map(guarded((tree) => encodeRlp(tree)));
out.tx = (input.tx || []).map(guarded(({ key, tx }) => {
  const t = Transaction.from(tx);
  const unsigned = t.unsignedSerialized;
  const signingHash = t.unsignedHash;
  t.signature = new Wallet(key).signingKey.sign(signingHash);
  // No t.from: recovering in JS costs more than the rest; the raw bytes already pin the
  // signature, and the C++ side recovers the sender itself.
  return { unsigned, signingHash, raw: t.serialized, hash: t.hash };
}));
out.abiJson = (input.abiJson || []).map(guarded((path) => {
  const doc = JSON.parse(readFileSync(path, "utf8"));
  const iface = new Interface(Array.isArray(doc) ? doc : doc.abi);
  const r = { functions: [], events: [], errors: [] };
  iface.forEachFunction((f) => r.functions.push([f.format("sighash"), f.selector]));
  iface.forEachEvent((e) => r.events.push([e.format("sighash"), e.topicHash]));
  iface.forEachError((e) => r.errors.push([e.format("sighash"), e.selector]));
  return r;
}));
process.stdout.write(JSON.stringify(out));
