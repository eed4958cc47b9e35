// Differential oracle for tests/eth_oracle: computes with ethers what pactum::eth computes.
// stdin: {"sign": [{"key", "hash"}], "recover": [{"hash", "sig"}], "eip55": ["0x…"],
//         "eip191": ["0x…bytes"], "eip712": [{"domain", "types", "message"}],
//         "keystore": [{"json", "password"}]}
// stdout: the same keys, one answer per case, in order. A case ethers rejects gives
// {"error": message} in its place so the C++ side can report it next to the input.
import { readFileSync } from "node:fs";
import {
  SigningKey, Signature, TypedDataEncoder, computeAddress, decryptKeystoreJsonSync, getAddress,
  getBytes, hashMessage, recoverAddress,
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

const out = {};
out.sign = (input.sign || []).map(guarded(({ key, hash }) => {
  const sig = new SigningKey(key).sign(hash);
  return { address: computeAddress(key), sig: sig.serialized, recovered: recoverAddress(hash, sig) };
}));
out.recover = (input.recover || []).map(guarded(({ hash, sig }) =>
  recoverAddress(hash, Signature.from(sig))));
out.eip55 = (input.eip55 || []).map(guarded((a) => getAddress(a)));
out.eip191 = (input.eip191 || []).map(guarded((m) => hashMessage(getBytes(m))));
out.eip712 = (input.eip712 || []).map(guarded(({ domain, types, message }) => {
  const t = { ...types };
  delete t.EIP712Domain;  // ethers derives the domain type from the domain's keys
  return {
    hash: TypedDataEncoder.hash(domain, t, message),
    domain: TypedDataEncoder.hashDomain(domain),
    struct: TypedDataEncoder.from(t).hash(message),
  };
}));
out.keystore = (input.keystore || []).map(guarded(({ json, password }) => {
  const account = decryptKeystoreJsonSync(json, password);
  return { address: account.address, privateKey: account.privateKey };
}));
process.stdout.write(JSON.stringify(out));
