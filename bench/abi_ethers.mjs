// The operations of bench/abi_bench.cpp with ethers 6: encode call data from values and decode
// values from call data through a pre-built Interface (fragments parsed once, as ours are).
// Prints one JSON line per operation: {"name": ..., "ops_per_s": ..., "wall_ops_per_s": ...}. Each operation warms up
// for 0.5 s of CPU time, then runs in batches until 2 s of CPU time have passed.
import { Interface } from "../node_modules/ethers/lib.esm/index.js";

const iface = new Interface([
  "function transfer(address,uint256)",
  "function submit(address,uint256,bytes32,string,uint256[])",
]);
// Keep the values in step with bench/abi_bench.cpp.
const address = "0x" + Array.from({ length: 20 }, (_, i) =>
  ((0x11 * ((i % 15) + 1)) & 0xff).toString(16).padStart(2, "0")).join("");
const transferFn = iface.getFunction("transfer");
const submitFn = iface.getFunction("submit");
const transferArgs = [address, 1000000000000000000000n];
const submitArgs = [address, 123456789n, "0x" + "ab".repeat(32),
  "did:pactum:0x5f3c…e1/asset/temperature-log",
  [1n, 2n, 3n, 4n, 5n].map((i) => i * 1000000007n)];
const transferData = iface.encodeFunctionData(transferFn, transferArgs);
const submitData = iface.encodeFunctionData(submitFn, submitArgs);

// ops_per_s divides by the process's CPU time (user + system, all threads, so GC counts), the
// same basis as Google Benchmark's items_per_second: on a loaded shared machine wall time
// mostly measures the neighbours. wall_ops_per_s is given too.
function measure(name, fn) {
  const now = () => Number(process.hrtime.bigint()) / 1e9;
  const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
  let sink;
  for (const end = cpu() + 0.5; cpu() < end;) {
    for (let i = 0; i < 100; ++i) sink = fn();
  }
  let ops = 0;
  const start = now();
  const cpuStart = cpu();
  let cpuElapsed = 0;
  while (cpuElapsed < 2) {
    for (let i = 0; i < 1000; ++i) sink = fn();
    ops += 1000;
    cpuElapsed = cpu() - cpuStart;
  }
  const elapsed = now() - start;
  if (sink === undefined) throw new Error("no result");
  console.log(JSON.stringify({
    name, ops_per_s: Math.round(ops / cpuElapsed), wall_ops_per_s: Math.round(ops / elapsed),
  }));
}

measure("abi_encode_transfer", () => iface.encodeFunctionData(transferFn, transferArgs));
measure("abi_decode_transfer", () => iface.decodeFunctionData(transferFn, transferData));
measure("abi_encode_submit", () => iface.encodeFunctionData(submitFn, submitArgs));
measure("abi_decode_submit", () => iface.decodeFunctionData(submitFn, submitData));
