// The operations of bench/crypto_bench.cpp measured with ethers 6 in node, printed as JSON lines
// {"name", "ops_per_s" | "mb_per_s"}. Each runs for ~2 s of wall time after a warm-up; rates are
// per second of this process's CPU time (user + system), as Google Benchmark's are, so that a
// loaded machine slows neither side's figure. Run on the same machine in the same session as
// pactum_crypto_bench (docs/bench/crypto.md).
import {
  SigningKey, TypedDataEncoder, hashMessage, keccak256, recoverAddress, toUtf8Bytes,
} from "../node_modules/ethers/lib.esm/index.js";

function measure(name, fn, { seconds = 2, bytes = 0 } = {}) {
  for (let i = 0; i < 50; i++) fn(i);  // warm-up (JIT)
  let n = 0;
  const cpu0 = process.cpuUsage();
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  let now = start;
  while (now < deadline) {
    for (let k = 0; k < 16; k++) fn(n++);
    now = process.hrtime.bigint();
  }
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (cpu.user + cpu.system) / 1e6;
  const line = bytes
    ? { name, mb_per_s: (n * bytes) / elapsed / 1e6 }
    : { name, ops_per_s: n / elapsed };
  console.log(JSON.stringify(line));
}

const key = new SigningKey("0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80");
const hashFor = (i) => keccak256(new Uint8Array(new BigUint64Array([BigInt(i), 0n, 0n, 0n]).buffer));

const kib = new Uint8Array(1024).fill(0xab);
const mib = new Uint8Array(1 << 20).fill(0xab);
measure("keccak256/1024", () => keccak256(kib), { bytes: kib.length });
measure("keccak256/1048576", () => keccak256(mib), { bytes: mib.length });
measure("sign", (i) => key.sign(hashFor(i)));
const cases = Array.from({ length: 256 }, (_, i) => [hashFor(i), key.sign(hashFor(i))]);
measure("recover", (i) => recoverAddress(cases[i & 255][0], cases[i & 255][1]));
const message = "Pactum access request for asset did:pactum:0x1234 at block 19000000";
measure("eip191_hash", () => hashMessage(message));
const mail = {
  domain: { name: "Ether Mail", version: "1", chainId: 1,
            verifyingContract: "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC" },
  types: {
    Person: [{ name: "name", type: "string" }, { name: "wallet", type: "address" }],
    Mail: [{ name: "from", type: "Person" }, { name: "to", type: "Person" },
           { name: "contents", type: "string" }],
  },
  message: { from: { name: "Cow", wallet: "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826" },
             to: { name: "Bob", wallet: "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB" },
             contents: "Hello, Bob!" },
};
measure("eip712_hash_json", () => {
  const doc = JSON.parse(JSON.stringify(mail));  // parse the document, as the C++ side does
  return TypedDataEncoder.hash(doc.domain, doc.types, doc.message);
});
