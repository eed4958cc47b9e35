// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {AssetRegistry} from "../src/AssetRegistry.sol";
import {AgreementEngine} from "../src/AgreementEngine.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";

interface VmScript {
    function startBroadcast(uint256 privateKey) external;
    function stopBroadcast() external;
    function addr(uint256 privateKey) external pure returns (address);
}

/// @notice Sends the paid-access lifecycle to a real node (anvil) so the receipts give the gas:
/// forge script script/MeasureLifecycle.s.sol --rpc-url http://127.0.0.1:8545 --broadcast
contract MeasureLifecycle {
    VmScript internal constant vm = VmScript(address(uint160(uint256(keccak256("hevm cheat code")))));
    // anvil's default mnemonic accounts 0, 1, 2
    uint256 internal constant PUBLISHER = 0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80;
    uint256 internal constant PROVIDER = 0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d;
    uint256 internal constant CONSUMER = 0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a;

    function run() external {
        vm.startBroadcast(PUBLISHER);
        AssetRegistry registry = new AssetRegistry();
        AgreementEngine engine = new AgreementEngine(registry);
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](3);
        types[0] = IAgreementEngine.ConditionType.LockPayment;
        types[1] = IAgreementEngine.ConditionType.Access;
        types[2] = IAgreementEngine.ConditionType.EscrowPayment;
        uint8[] memory deps = new uint8[](3);
        deps[1] = 1;
        deps[2] = 3;
        bytes32 templateId = engine.registerTemplate(types, deps);
        address[] memory providers = new address[](1);
        providers[0] = vm.addr(PROVIDER);
        bytes32 did = registry.register(keccak256("seed"), keccak256("root"), "http://127.0.0.1:8030/ddo/1", providers);
        vm.stopBroadcast();

        IAgreementEngine.AgreementParams memory p;
        p.templateId = templateId;
        p.did = did;
        p.consumer = vm.addr(CONSUMER);
        p.purpose = keccak256("research");
        p.timeLocks = new uint64[](3);
        p.timeOuts = new uint64[](3);
        p.timeOuts[1] = uint64(block.timestamp + 1 days);
        p.payment.receivers = new address[](1);
        p.payment.receivers[0] = vm.addr(PUBLISHER);
        p.payment.amounts = new uint256[](1);
        p.payment.amounts[0] = 1 ether;

        vm.startBroadcast(CONSUMER);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(keccak256("order"), p);
        vm.stopBroadcast();
        vm.startBroadcast(PROVIDER);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        vm.stopBroadcast();
    }
}
