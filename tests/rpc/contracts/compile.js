// Compiles one Solidity file with the repo's pinned solc-js and prints
// {"bytecode":"0x…","abi":[…]} for its contract named argv[3].
// Usage: node compile.js <repo>/node_modules/solc <file.sol> <ContractName>
const fs = require('fs');
const path = require('path');
const solc = require(process.argv[2]);
const file = process.argv[3];
const name = process.argv[4];
const input = {
  language: 'Solidity',
  sources: {[path.basename(file)]: {content: fs.readFileSync(file, 'utf8')}},
  settings: {optimizer: {enabled: true, runs: 200},
             outputSelection: {'*': {'*': ['abi', 'evm.bytecode.object']}}},
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === 'error');
if (errors.length) {
  process.stderr.write(errors.map((e) => e.formattedMessage).join('\n'));
  process.exit(1);
}
const contract = output.contracts[path.basename(file)][name];
process.stdout.write(JSON.stringify({bytecode: '0x' + contract.evm.bytecode.object, abi: contract.abi}));
