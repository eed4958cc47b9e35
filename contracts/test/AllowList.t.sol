// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";

/// @notice Allow-list removal (#17, Low): removing a consumer from an asset's allow-list did not
/// reach agreements whose AllowList condition was already fulfilled on chain (no time outs are
/// needed there): a year later fulfillAccess still succeeded and hasAccess stayed true. The
/// list is now checked again where access (or compute) is fulfilled and in hasAccess.
contract AllowListTest is Fixture {
    bytes32 internal constant SEED = keccak256("order");

    function _listedAndFulfilled() internal returns (bytes32 id, IAgreementEngine.AgreementParams memory p) {
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true);
        p = _baseParams(allowListed, 2);
        vm.prank(consumer);
        id = engine.createAgreement(SEED, p);
        engine.fulfillAllowList(id, p);
    }

    function _unlist() internal {
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, false);
    }

    /// PoC: listed, AllowList fulfilled, removed; a year later the provider could still fulfil
    /// access (on the old engine this call succeeded).
    function test_fulfillAccess_refusedAfterRemoval() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _listedAndFulfilled();
        _unlist();
        vm.warp(T0 + 365 days);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotAllowListed.selector, did, consumer));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    /// PoC: access granted while listed; after removal hasAccess stayed true (old engine).
    function test_hasAccess_falseAfterRemoval() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _listedAndFulfilled();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertTrue(engine.hasAccess(id, p));
        _unlist();
        assertFalse(engine.hasAccess(id, p), "removed consumer still has access");
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true); // listed again: the grant holds again
        assertTrue(engine.hasAccess(id, p));
    }

    /// With money on it (allow-list, lock, access, escrow): after a removal the provider cannot
    /// grant access, so the consumer is refunded once access times out.
    function test_paidAllowListed_removalLeadsToRefund() public {
        IAgreementEngine.ConditionType[] memory t = new IAgreementEngine.ConditionType[](4);
        t[0] = IAgreementEngine.ConditionType.AllowList;
        t[1] = IAgreementEngine.ConditionType.LockPayment;
        t[2] = IAgreementEngine.ConditionType.Access;
        t[3] = IAgreementEngine.ConditionType.EscrowPayment;
        uint8[] memory d = new uint8[](4);
        d[2] = 0x03; // access waits on the allow-list and the lock
        d[3] = 0x06; // the escrow on the lock and access
        bytes32 template = engine.registerTemplate(t, d);
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = template;
        p.timeLocks = new uint64[](4);
        p.timeOuts = new uint64[](4);
        p.timeOuts[2] = ACCESS_TIMEOUT;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        engine.fulfillAllowList(id, p);
        _unlist();
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotAllowListed.selector, did, consumer));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 2);
        uint256 before = consumer.balance;
        engine.refundPayment(id, p);
        assertEq(consumer.balance, before + 1 ether);
    }

    /// A compute job is access to the asset too: the same re-check applies.
    function test_fulfillCompute_refusedAfterRemoval() public {
        IAgreementEngine.ConditionType[] memory t = new IAgreementEngine.ConditionType[](2);
        t[0] = IAgreementEngine.ConditionType.AllowList;
        t[1] = IAgreementEngine.ConditionType.ComputeExecution;
        uint8[] memory d = new uint8[](2);
        d[1] = 0x01;
        bytes32 template = engine.registerTemplate(t, d);
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true);
        IAgreementEngine.AgreementParams memory p = _baseParams(template, 2);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        engine.fulfillAllowList(id, p);
        _unlist();
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotAllowListed.selector, did, consumer));
        vm.prank(provider);
        engine.fulfillCompute(id, p, keccak256("result"));
    }
}
