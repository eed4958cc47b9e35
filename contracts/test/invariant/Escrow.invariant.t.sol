// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";
import {MockERC20} from "../mocks/Tokens.sol";
import {EscrowHandler} from "./EscrowHandler.sol";

/// @notice The escrow's safety properties, checked after every random sequence of calls.
contract EscrowInvariantTest is Fixture {
    EscrowHandler internal handler;
    MockERC20 internal token;

    function setUp() public override {
        super.setUp();
        token = new MockERC20();
        handler = new EscrowHandler(engine, token, paidAccess, paidCompute, did, provider, publisher, marketplace);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](7);
        selectors[0] = EscrowHandler.create.selector;
        selectors[1] = EscrowHandler.lock.selector;
        selectors[2] = EscrowHandler.access.selector;
        selectors[3] = EscrowHandler.release.selector;
        selectors[4] = EscrowHandler.abort.selector;
        selectors[5] = EscrowHandler.refund.selector;
        selectors[6] = EscrowHandler.warp.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /// The vault holds exactly what was locked minus what was paid out or refunded, and that is
    /// the sum of the prices of the agreements whose lock is fulfilled and escrow is not settled.
    function invariant_vaultHoldsLockedMinusPaidMinusRefunded() public view {
        address[2] memory tokens = [address(0), address(token)];
        for (uint256 t = 0; t < 2; ++t) {
            address tk = tokens[t];
            uint256 held = tk == address(0) ? address(engine).balance : token.balanceOf(address(engine));
            assertEq(held, handler.locked(tk) - handler.paid(tk) - handler.refunded(tk), "ghost accounting");
            uint256 open;
            uint256 n = handler.idsLength();
            for (uint256 i = 0; i < n; ++i) {
                bytes32 id = handler.ids(i);
                IAgreementEngine.AgreementParams memory p = handler.params(id);
                if (p.payment.token != tk) continue;
                if (
                    engine.getConditionState(id, 0) == IAgreementEngine.ConditionState.Fulfilled
                        && engine.getConditionState(id, 2) == IAgreementEngine.ConditionState.Unfulfilled
                ) open += p.payment.amounts[0] + p.payment.amounts[1];
            }
            assertEq(held, open, "vault = open locks");
        }
    }

    /// No condition is fulfilled twice, changes after being aborted, or goes back.
    function invariant_conditionStatesNeverGoBack() public view {
        assertEq(handler.stateRegressions(), 0);
    }

    /// No payment leaves the escrow unless access (or the compute job) was fulfilled first.
    function invariant_noPaymentWithoutAccess() public view {
        assertEq(handler.releasesWithoutAccess(), 0);
        uint256 n = handler.idsLength();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.ids(i);
            IAgreementEngine.ConditionState escrow = engine.getConditionState(id, 2);
            IAgreementEngine.ConditionState access = engine.getConditionState(id, 1);
            if (escrow == IAgreementEngine.ConditionState.Fulfilled) {
                assertTrue(access == IAgreementEngine.ConditionState.Fulfilled, "released without access");
            }
            if (escrow == IAgreementEngine.ConditionState.Aborted) {
                assertTrue(access == IAgreementEngine.ConditionState.Aborted, "refunded without abort");
            }
        }
    }

    /// Refunds (and the aborts they need) happen only after the time out.
    function invariant_refundsOnlyAfterTimeOut() public view {
        assertEq(handler.refundsBeforeTimeOut(), 0);
        assertEq(handler.abortsBeforeTimeOut(), 0);
    }

    /// Only a provider of the asset fulfils access.
    function invariant_onlyProvidersFulfilAccess() public view {
        assertEq(handler.accessByNonProvider(), 0);
    }
}
