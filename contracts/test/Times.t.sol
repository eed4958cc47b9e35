// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";

/// @notice Bounded times (#17, Low): a time lock or time out beyond the horizon, or an escrow
/// time-locked past the time outs it waits on, could freeze a payment. Each is refused at
/// creation now; what is accepted always leaves a way out once every time out has passed.
contract TimesTest is Fixture {
    bytes32 internal constant SEED = keccak256("order");
    uint256 internal constant HORIZON = 730 days;

    function _create(IAgreementEngine.AgreementParams memory p) internal returns (bool ok, bytes memory err) {
        vm.prank(consumer);
        (ok, err) =
            address(engine).call{value: 1 ether}(abi.encodeCall(IAgreementEngine.createAgreementAndLock, (SEED, p)));
    }

    /// PoC: an escrow time lock of type(uint64).max was accepted; after access the release
    /// reverted ConditionTimeLocked forever and no refund was allowed (access was fulfilled).
    function test_createAgreement_refusesAnEscrowTimeLockedForever() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[2] = type(uint64).max;
        (bool ok, bytes memory err) = _create(p);
        assertFalse(ok, "created");
        assertEq(
            err,
            abi.encodeWithSelector(
                IAgreementEngine.ConditionTimeBeyondHorizon.selector, 2, type(uint64).max, T0 + HORIZON
            )
        );
    }

    /// PoC: a gate time out of type(uint64).max ("never", in all but name) was accepted, so the
    /// escrow's way out by refund never opened.
    function test_createAgreement_refusesAGateTimeOutOfNever() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[1] = type(uint64).max;
        (bool ok, bytes memory err) = _create(p);
        assertFalse(ok, "created");
        assertEq(
            err,
            abi.encodeWithSelector(
                IAgreementEngine.ConditionTimeBeyondHorizon.selector, 1, type(uint64).max, T0 + HORIZON
            )
        );
    }

    /// PoC: within the horizon, an escrow time-locked past the access time out left the price
    /// locked after every time out had passed (release waited, refund was not allowed).
    function test_createAgreement_refusesAnEscrowLockedPastTheGateTimeOut() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[2] = ACCESS_TIMEOUT + 1;
        (bool ok, bytes memory err) = _create(p);
        assertFalse(ok, "created");
        assertEq(
            err,
            abi.encodeWithSelector(
                IAgreementEngine.EscrowLockedPastTimeOut.selector, 2, ACCESS_TIMEOUT + 1, 1, ACCESS_TIMEOUT
            )
        );
    }

    function test_createAgreement_refusesALockTimeOutBeyondTheHorizon() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[0] = uint64(T0 + HORIZON + 1);
        (bool ok, bytes memory err) = _create(p);
        assertFalse(ok);
        assertEq(
            err,
            abi.encodeWithSelector(
                IAgreementEngine.ConditionTimeBeyondHorizon.selector, 0, T0 + HORIZON + 1, T0 + HORIZON
            )
        );
    }

    /// The horizon is counted from the creating block: exactly at it is accepted, one second
    /// beyond is not, and the same times are accepted later once they are close enough.
    function test_createAgreement_horizonIsFromTheCreatingBlock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[1] = uint64(T0 + HORIZON + 1);
        (bool ok,) = _create(p);
        assertFalse(ok, "one second beyond");
        vm.warp(T0 + 1);
        (ok,) = _create(p);
        assertTrue(ok, "at the horizon");
    }

    /// An escrow time lock equal to the gate's time out is the longest allowed dispute window:
    /// once the time out passed, the release is open (after access) or the refund is (without).
    function test_escrowLockedUntilTheGateTimeOut_hasAWayOutEitherWay() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[2] = ACCESS_TIMEOUT;
        vm.prank(consumer);
        bytes32 accessed = engine.createAgreementAndLock{value: 1 ether}(keccak256("a"), p);
        vm.prank(consumer);
        bytes32 ignored = engine.createAgreementAndLock{value: 1 ether}(keccak256("b"), p);
        vm.prank(provider);
        engine.fulfillAccess(accessed, p);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.releasePayment(accessed, p);
        engine.abortCondition(ignored, p, 1);
        engine.refundPayment(ignored, p);
        assertEq(publisher.balance, 1 ether);
        assertEq(address(engine).balance, 0);
    }
}
