// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AssetRegistry} from "../src/AssetRegistry.sol";
import {AgreementEngine} from "../src/AgreementEngine.sol";
import {AssetNFT1155} from "../src/AssetNFT1155.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";

interface VmDeploy {
    function startBroadcast(uint256 privateKey) external;
    function stopBroadcast() external;
    function envUint(string calldata name) external view returns (uint256);
    function envOr(string calldata name, string calldata defaultValue) external view returns (string memory);
}

/// @notice Reference deployment, in the order the C++ `pactum deploy` follows (see README.md):
/// PACTUM_DEPLOYER_KEY=0x... forge script script/Deploy.s.sol --rpc-url URL --broadcast
/// It is the specification of the sequence, and a fallback before the C++ tool exists.
contract Deploy {
    VmDeploy internal constant vm = VmDeploy(address(uint160(uint256(keccak256("hevm cheat code")))));

    function run()
        external
        returns (AssetRegistry registry, AgreementEngine engine, AssetNFT1155 editions, AssetNFT721 collections)
    {
        string memory nodeUrl = vm.envOr("PACTUM_NODE_URL", string("http://127.0.0.1:8030"));
        vm.startBroadcast(vm.envUint("PACTUM_DEPLOYER_KEY"));
        registry = new AssetRegistry();
        engine = new AgreementEngine(registry);
        editions = new AssetNFT1155(registry, string.concat(nodeUrl, "/nft/1155/{id}.json"));
        collections = new AssetNFT721(registry, "Pactum Assets", "PACT", string.concat(nodeUrl, "/nft/721/"));
        _register3(engine, IAgreementEngine.ConditionType.Access); // paid access
        _register3(engine, IAgreementEngine.ConditionType.ComputeExecution); // paid compute
        _register3(engine, IAgreementEngine.ConditionType.NftTransfer); // NFT sale
        _register2(engine, IAgreementEngine.ConditionType.NftHolder); // NFT-gated access
        _register2(engine, IAgreementEngine.ConditionType.AllowList); // allow-listed access
        vm.stopBroadcast();
    }

    /// [LockPayment, gate, EscrowPayment], dependencies [0, 0b01, 0b11]
    function _register3(AgreementEngine engine, IAgreementEngine.ConditionType gate) internal {
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](3);
        types[0] = IAgreementEngine.ConditionType.LockPayment;
        types[1] = gate;
        types[2] = IAgreementEngine.ConditionType.EscrowPayment;
        uint8[] memory deps = new uint8[](3);
        deps[1] = 0x01;
        deps[2] = 0x03;
        engine.registerTemplate(types, deps);
    }

    /// [check, Access], dependencies [0, 0b01]
    function _register2(AgreementEngine engine, IAgreementEngine.ConditionType check) internal {
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](2);
        types[0] = check;
        types[1] = IAgreementEngine.ConditionType.Access;
        uint8[] memory deps = new uint8[](2);
        deps[1] = 0x01;
        engine.registerTemplate(types, deps);
    }
}
