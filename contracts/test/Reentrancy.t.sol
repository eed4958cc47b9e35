// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";
import {MaliciousReceiver, MaliciousERC20} from "./mocks/Attackers.sol";

/// @notice Attempts to drain the vault by re-entering it from a payment receiver and from an
/// ERC-20 token. Each must fail, and the vault must pay out exactly what was agreed.
contract ReentrancyTest is Fixture {
    bytes32 internal constant SEED = keccak256("order");
    bytes4 internal constant GUARD = bytes4(keccak256("ReentrancyGuardReentrantCall()"));

    function _assertBlocked(address attacker) internal view {
        MaliciousReceiver a = MaliciousReceiver(payable(attacker));
        assertTrue(a.reentered(), "callback ran");
        assertTrue(!a.reentrySucceeded(), "re-entry must fail");
        assertEq(bytes4(a.reentryError()), GUARD);
    }

    function test_reentrancy_receiverReentersRelease() public {
        MaliciousReceiver attacker = new MaliciousReceiver();
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.5 ether);
        p.payment.receivers[1] = address(attacker);
        // another agreement's money sits in the vault too
        (bytes32 other,) = _createPaid(keccak256("other"), 3 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        attacker.arm(engine, id, p, 1);
        engine.releasePayment(id, p);
        _assertBlocked(address(attacker));
        assertEq(address(attacker).balance, 0.5 ether);
        assertEq(address(engine).balance, 3 ether); // only the other agreement's lock is left
        assertTrue(engine.agreementExists(other));
    }

    function test_reentrancy_receiverReentersWithdraw() public {
        MaliciousReceiver attacker = new MaliciousReceiver();
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.receivers[0] = address(attacker);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        attacker.arm(engine, id, p, 3);
        engine.releasePayment(id, p);
        _assertBlocked(address(attacker));
        assertEq(address(attacker).balance, 1 ether);
        assertEq(address(engine).balance, 0);
    }

    function test_reentrancy_consumerReentersRefund() public {
        MaliciousReceiver attacker = new MaliciousReceiver();
        vm.deal(address(attacker), 1 ether);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.consumer = address(attacker);
        _createPaid(keccak256("other"), 2 ether);
        vm.prank(address(attacker));
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        attacker.arm(engine, id, p, 2);
        engine.refundPayment(id, p);
        _assertBlocked(address(attacker));
        assertEq(address(attacker).balance, 1 ether); // refunded once
        assertEq(address(engine).balance, 2 ether);
    }

    function test_reentrancy_refusingReceiverCannotBlockRelease() public {
        MaliciousReceiver attacker = new MaliciousReceiver();
        attacker.setRevertAfter(true);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.5 ether);
        p.payment.receivers[1] = address(attacker);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        attacker.arm(engine, id, p, 1);
        engine.releasePayment(id, p);
        // its callback's effects are rolled back with its revert; what counts is the outcome:
        assertEq(publisher.balance, 0.5 ether);
        assertEq(engine.owed(address(attacker), address(0)), 0.5 ether);
        assertEq(address(engine).balance, 0.5 ether);
    }

    function test_reentrancy_tokenReentersLock() public {
        MaliciousERC20 evil = new MaliciousERC20();
        evil.mint(consumer, 10 ether);
        evil.setBubble(true);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(evil), 1 ether);
        vm.startPrank(consumer);
        evil.approve(address(engine), 10 ether);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.stopPrank();
        evil.arm(engine, id, p, 4);
        vm.expectRevert(GUARD);
        vm.prank(consumer);
        engine.lockPayment(id, p);
        assertEq(uint256(_state(id, 0)), 0); // nothing locked, nothing moved
        assertEq(evil.balanceOf(address(engine)), 0);
    }

    function test_reentrancy_tokenReentersRelease() public {
        MaliciousERC20 evil = new MaliciousERC20();
        evil.mint(consumer, 10 ether);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(evil), 1 ether);
        vm.startPrank(consumer);
        evil.approve(address(engine), 10 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        evil.arm(engine, id, p, 1);
        engine.releasePayment(id, p);
        assertTrue(evil.reentered());
        assertFalse(evil.reentrySucceeded());
        assertEq(bytes4(evil.reentryError()), GUARD);
        assertEq(evil.balanceOf(publisher), 1 ether);
        assertEq(evil.balanceOf(address(engine)), 0);
    }

    function test_reentrancy_tokenFailingReentryDefersPayment() public {
        MaliciousERC20 evil = new MaliciousERC20();
        evil.mint(consumer, 10 ether);
        evil.setBubble(true); // the token's transfer fails because its re-entry failed
        IAgreementEngine.AgreementParams memory p = _paidParams(address(evil), 1 ether);
        vm.startPrank(consumer);
        evil.approve(address(engine), 10 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        evil.arm(engine, id, p, 2); // try to refund during the release
        engine.releasePayment(id, p);
        assertEq(uint256(_state(id, 2)), 1);
        assertEq(engine.owed(publisher, address(evil)), 1 ether);
        assertEq(evil.balanceOf(address(engine)), 1 ether); // held for the publisher, not refunded
    }
}
