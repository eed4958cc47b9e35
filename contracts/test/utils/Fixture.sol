// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./Test.sol";
import {AssetRegistry} from "../../src/AssetRegistry.sol";
import {AgreementEngine} from "../../src/AgreementEngine.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";

/// @notice Deploys the registry and the engine, registers the five standard templates, registers
/// one asset served by `provider`, and builds agreement params for each template.
abstract contract Fixture is Test {
    AssetRegistry internal registry;
    AgreementEngine internal engine;

    bytes32 internal paidAccess;
    bytes32 internal nftAccess;
    bytes32 internal nftSale;
    bytes32 internal paidCompute;
    bytes32 internal allowListed;

    address internal publisher = address(0xA11CE);
    address internal provider = address(0xB0B);
    address internal consumer = address(0xC0FFEE);
    address internal marketplace = address(0x3A7);
    bytes32 internal did;

    uint64 internal constant T0 = 1_800_000_000;
    uint64 internal constant ACCESS_TIMEOUT = T0 + 1 days;

    function setUp() public virtual {
        vm.warp(T0);
        registry = new AssetRegistry();
        engine = new AgreementEngine(registry);
        paidAccess = _register3(IAgreementEngine.ConditionType.Access);
        paidCompute = _register3(IAgreementEngine.ConditionType.ComputeExecution);
        nftSale = _register3(IAgreementEngine.ConditionType.NftTransfer);
        nftAccess = _register2(IAgreementEngine.ConditionType.NftHolder);
        allowListed = _register2(IAgreementEngine.ConditionType.AllowList);

        address[] memory providers = new address[](1);
        providers[0] = provider;
        vm.prank(publisher);
        did = registry.register(bytes32("asset-1"), bytes32(uint256(0xC4EC)), "https://node/ddo/1", providers);
        vm.deal(consumer, 1_000 ether);
    }

    /// lock -> gate -> escrow(lock, gate)
    function _register3(IAgreementEngine.ConditionType gate) internal returns (bytes32) {
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](3);
        types[0] = IAgreementEngine.ConditionType.LockPayment;
        types[1] = gate;
        types[2] = IAgreementEngine.ConditionType.EscrowPayment;
        uint8[] memory deps = new uint8[](3);
        deps[1] = 0x01;
        deps[2] = 0x03;
        return engine.registerTemplate(types, deps);
    }

    /// check -> access(check)
    function _register2(IAgreementEngine.ConditionType check) internal returns (bytes32) {
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](2);
        types[0] = check;
        types[1] = IAgreementEngine.ConditionType.Access;
        uint8[] memory deps = new uint8[](2);
        deps[1] = 0x01;
        return engine.registerTemplate(types, deps);
    }

    /// Paid-access params: price `price` in `token` to the publisher; access times out after a day.
    function _paidParams(address token, uint256 price)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p = _baseParams(paidAccess, 3);
        p.timeOuts[1] = ACCESS_TIMEOUT;
        p.payment.token = token;
        p.payment.receivers = new address[](1);
        p.payment.receivers[0] = publisher;
        p.payment.amounts = new uint256[](1);
        p.payment.amounts[0] = price;
    }

    /// Same, with a marketplace fee of `fee` out of the price.
    function _paidParamsWithFee(address token, uint256 price, uint256 fee)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p = _paidParams(token, price);
        p.payment.receivers = new address[](2);
        p.payment.receivers[0] = publisher;
        p.payment.receivers[1] = marketplace;
        p.payment.amounts = new uint256[](2);
        p.payment.amounts[0] = price - fee;
        p.payment.amounts[1] = fee;
    }

    function _baseParams(bytes32 templateId, uint256 n)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p.templateId = templateId;
        p.did = did;
        p.consumer = consumer;
        p.purpose = keccak256("research");
        p.validFrom = 0;
        p.validUntil = 0;
        p.timeLocks = new uint64[](n);
        p.timeOuts = new uint64[](n);
    }

    function _createPaid(bytes32 seed, uint256 price)
        internal
        returns (bytes32 id, IAgreementEngine.AgreementParams memory p)
    {
        p = _paidParams(address(0), price);
        vm.prank(consumer);
        id = engine.createAgreementAndLock{value: price}(seed, p);
    }

    function _state(bytes32 id, uint256 index) internal view returns (IAgreementEngine.ConditionState) {
        return engine.getConditionState(id, index);
    }
}
