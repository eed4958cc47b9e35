// Oracle for tests/sdk/node_request_test.cpp: the EIP-712 hash and signer of NodeRequests,
// computed by ethers. Input: JSON [{request, chainId, key}]; output: [{hash, signature}].
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const { TypedDataEncoder, Wallet } = require('../../node_modules/ethers');

const types = {
  NodeRequest: [
    { name: 'action', type: 'string' },
    { name: 'subject', type: 'bytes32' },
    { name: 'node', type: 'address' },
    { name: 'nonce', type: 'uint256' },
    { name: 'expiry', type: 'uint64' },
  ],
};
const cases = JSON.parse(readFileSync(0, 'utf8'));
const out = cases.map(({ request, chainId, key }) => {
  const domain = { name: 'Pactum Node', version: '1', chainId };
  const hash = TypedDataEncoder.hash(domain, types, request);
  const signature = new Wallet(key).signingKey.sign(hash).serialized;
  return { hash, signature };
});
process.stdout.write(JSON.stringify(out));
