// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {ReturnBomb, GasBurner, PausableSplitter, BookkeepingWallet} from "./mocks/Receivers.sol";
import {ReturnsFalseERC20, HookERC20} from "./mocks/Tokens.sol";

/// @notice "One receiver cannot block the others": the findings of the escrow review (#17) that
/// let a receiver freeze a whole price, each as a proof of concept that failed on the engine
/// before bounded pushes, and the pull side (withdraw, withdrawFor) that replaced them.
contract PayoutsTest is Fixture {
    bytes32 internal constant SEED = keccak256("order");
    address internal constant STRANGER = address(0x5757);

    event Withdrawn(address indexed account, address indexed token, uint256 amount);

    /// Paid access to `receivers` (equal shares of `each`), locked and accessed.
    function _accessed(address[] memory receivers, uint256 each)
        internal
        returns (bytes32 id, IAgreementEngine.AgreementParams memory p)
    {
        return _accessed(receivers, each, SEED);
    }

    function _accessed(address[] memory receivers, uint256 each, bytes32 seed)
        internal
        returns (bytes32 id, IAgreementEngine.AgreementParams memory p)
    {
        p = _paidParams(address(0), each * receivers.length);
        p.payment.receivers = receivers;
        p.payment.amounts = new uint256[](receivers.length);
        for (uint256 i = 0; i < receivers.length; ++i) {
            p.payment.amounts[i] = each;
        }
        vm.prank(consumer);
        id = engine.createAgreementAndLock{value: each * receivers.length}(seed, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function _two(address a, address b) internal pure returns (address[] memory r) {
        r = new address[](2);
        r[0] = a;
        r[1] = b;
    }

    /// Calls releasePayment as its own frame with exactly `gasLimit` gas, as a transaction would.
    function _release(bytes32 id, IAgreementEngine.AgreementParams memory p, uint256 gasLimit)
        internal
        returns (bool ok)
    {
        (ok,) = address(engine).call{gas: gasLimit}(abi.encodeCall(IAgreementEngine.releasePayment, (id, p)));
    }

    // ------------------------------------------------------------ Medium: return bomb

    /// PoC: a receiver reverting with return data sized to its gas froze the whole price (the
    /// engine copied the return data and ran out of gas at any gas limit; after access no refund
    /// exists). Now its share is deferred and the publisher is paid, at an ordinary gas limit.
    function test_releasePayment_returnBombCannotFreezeThePrice() public {
        ReturnBomb bomb = new ReturnBomb();
        bomb.setArmed(true);
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(publisher, address(bomb)), 1 ether);
        uint256 snap = vm.snapshotState();
        // At a 30M block gas limit, and at ten times that: the old engine failed at both.
        assertTrue(_release(id, p, 300_000_000), "release with 300M gas");
        vm.revertToState(snap);
        assertTrue(_release(id, p, 30_000_000), "release with 30M gas");
        assertEq(publisher.balance, 1 ether, "publisher paid");
        assertEq(engine.owed(address(bomb), address(0)), 1 ether, "bomb's share deferred");
        assertEq(address(engine).balance, 1 ether, "only the deferred share stays");
    }

    /// The bomb can be switched off once the extortion is paid: nothing waits for it meanwhile,
    /// and its deferred share is then pulled by anyone.
    function test_releasePayment_switchedOffBombIsPaidLater() public {
        ReturnBomb bomb = new ReturnBomb();
        bomb.setArmed(true);
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(publisher, address(bomb)), 1 ether);
        assertTrue(_release(id, p, 1_000_000));
        bomb.setArmed(false);
        vm.prank(STRANGER);
        engine.withdrawFor(address(bomb), address(0));
        assertEq(address(bomb).balance, 1 ether);
        assertEq(address(engine).balance, 0);
    }

    /// PoC: two receivers that burn all the gas they get needed over 100M gas to release (each
    /// burnt 63/64 of what was left). Now each push has a fixed budget, so 1M gas is plenty.
    function test_releasePayment_twoGasBurnersCannotFreezeThePrice() public {
        GasBurner a = new GasBurner();
        GasBurner b = new GasBurner();
        a.setArmed(true);
        b.setArmed(true);
        address[] memory r = new address[](3);
        r[0] = address(a);
        r[1] = publisher;
        r[2] = address(b);
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(r, 1 ether);
        assertTrue(_release(id, p, 1_000_000), "release with 1M gas");
        assertEq(publisher.balance, 1 ether);
        assertEq(engine.owed(address(a), address(0)), 1 ether);
        assertEq(engine.owed(address(b), address(0)), 1 ether);
    }

    /// PoC: the ERC-2981 royalty receiver is set by the asset owner and forced into every sale;
    /// as a return bomb it froze a reseller's proceeds after the buyer already held the NFT.
    function test_releasePayment_bombingRoyaltyReceiverCannotFreezeAResale() public {
        ReturnBomb bomb = new ReturnBomb();
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        address reseller = address(0x5E11);
        vm.startPrank(publisher);
        uint256 tokenId = collection.mint(did, reseller);
        collection.setRoyalty(did, address(bomb), 1000); // 10 %
        vm.stopPrank();
        vm.prank(reseller);
        collection.setApprovalForAll(address(engine), true);

        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = nftSale;
        p.nft.nft = address(collection);
        p.nft.standard = IAgreementEngine.NftStandard.ERC721;
        p.nft.tokenId = tokenId;
        p.nft.amount = 1;
        p.nft.seller = reseller;
        p.payment.receivers = _two(reseller, address(bomb));
        p.payment.amounts = new uint256[](2);
        p.payment.amounts[0] = 0.9 ether;
        p.payment.amounts[1] = 0.1 ether;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(reseller);
        engine.fulfillNftTransfer(id, p);
        assertEq(collection.ownerOf(tokenId), consumer);

        bomb.setArmed(true); // the asset owner arms it once the NFT has moved
        assertTrue(_release(id, p, 30_000_000), "release with 30M gas");
        assertEq(reseller.balance, 0.9 ether, "reseller paid");
        assertEq(engine.owed(address(bomb), address(0)), 0.1 ether, "royalty deferred");
    }

    /// The ERC-20 path is bounded the same way: a receiver that burns all gas in a token's
    /// transfer hook gets its share deferred, the others are paid.
    function test_releasePayment_hookTokenGasBurnerIsDeferred() public {
        HookERC20 hook = new HookERC20();
        GasBurner a = new GasBurner();
        GasBurner b = new GasBurner();
        a.setArmed(true);
        b.setArmed(true);
        hook.setHooked(address(a), true);
        hook.setHooked(address(b), true);
        hook.mint(consumer, 3 ether);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(hook), 3 ether);
        address[] memory r = new address[](3);
        r[0] = address(a);
        r[1] = address(b);
        r[2] = publisher;
        p.payment.receivers = r;
        p.payment.amounts = new uint256[](3);
        p.payment.amounts[0] = 1 ether;
        p.payment.amounts[1] = 1 ether;
        p.payment.amounts[2] = 1 ether;
        vm.startPrank(consumer);
        hook.approve(address(engine), 3 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertTrue(_release(id, p, 1_000_000), "release with 1M gas");
        assertEq(hook.balanceOf(publisher), 1 ether);
        assertEq(engine.owed(address(a), address(hook)), 1 ether);
        assertEq(engine.owed(address(b), address(hook)), 1 ether);
        assertEq(hook.balanceOf(address(engine)), 2 ether);
    }

    /// A token that answers false for a receiver defers that share; the others are paid.
    function test_releasePayment_tokenReturningFalseDefers() public {
        ReturnsFalseERC20 t = new ReturnsFalseERC20();
        t.mint(consumer, 2 ether);
        t.setBlocked(marketplace, true);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(t), 2 ether, 1 ether);
        vm.startPrank(consumer);
        t.approve(address(engine), 2 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        assertEq(t.balanceOf(publisher), 1 ether);
        assertEq(engine.owed(marketplace, address(t)), 1 ether);
        t.setBlocked(marketplace, false);
        vm.prank(STRANGER);
        engine.withdrawFor(marketplace, address(t));
        assertEq(t.balanceOf(marketplace), 1 ether);
        assertEq(t.balanceOf(address(engine)), 0);
    }

    // ------------------------------------------------------------ Low: stranded deferred payment

    /// PoC: anyone may release while a contract receiver refuses (here: a paused splitter), which
    /// parks its share in `owed`; only the receiver itself could pull it, and an immutable
    /// splitter never can. Now anyone may push it with withdrawFor, which pays only the receiver.
    function test_withdrawFor_reachesAStrandedSplitter() public {
        address alice = address(0xA1);
        address bob = address(0xB1);
        PausableSplitter splitter = new PausableSplitter(alice, bob);
        splitter.setPaused(true);
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(publisher, address(splitter)), 1 ether);
        vm.prank(STRANGER);
        engine.releasePayment(id, p);
        assertEq(engine.owed(address(splitter), address(0)), 1 ether);

        splitter.setPaused(false);
        vm.expectEmit(address(engine));
        emit Withdrawn(address(splitter), address(0), 1 ether);
        vm.prank(STRANGER);
        engine.withdrawFor(address(splitter), address(0));
        assertEq(alice.balance, 0.5 ether);
        assertEq(bob.balance, 0.5 ether);
        assertEq(STRANGER.balance, 0, "the caller gets nothing");
        assertEq(engine.owed(address(splitter), address(0)), 0);
        assertEq(address(engine).balance, 0);
    }

    // ------------------------------------------------------------ tight gas limits

    /// A caller cannot choose a gas limit at which an honest receiver's push fails and is
    /// deferred: at any limit the release either pays everyone or reverts. Swept over every limit
    /// from 60k to 400k in 1k steps (a guard for the bounded push, not a finding: the old
    /// all-gas push had the same property through EIP-150's 63/64 rule).
    function test_releasePayment_tightGasLimitNeverDefersAnHonestReceiver() public {
        BookkeepingWallet wallet = new BookkeepingWallet();
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(address(wallet), publisher), 1 ether);
        bool anySucceeded;
        for (uint256 g = 60_000; g <= 400_000; g += 1_000) {
            uint256 snap = vm.snapshotState();
            if (_release(id, p, g)) {
                anySucceeded = true;
                assertEq(engine.owed(address(wallet), address(0)), 0, "honest wallet deferred");
                assertEq(engine.owed(publisher, address(0)), 0, "publisher deferred");
                assertEq(address(wallet).balance, 1 ether);
            }
            vm.revertToState(snap);
        }
        assertTrue(anySucceeded, "some limit up to 400k suffices");
    }

    /// The node sends a release right behind the fulfillAccess it depends on, before that is
    /// mined, so it cannot have it estimated: it gives contracts::release_payment_gas_bound, whose
    /// execution part is 60,000 + 170,000 per receiver. That suffices when every receiver burns
    /// or bombs all the gas it gets (each push then ends deferred), for every receiver count.
    function test_releasePayment_nodeGasBoundSufficesForHostileReceivers() public {
        for (uint256 n = 1; n <= engine.MAX_RECEIVERS(); ++n) {
            address[] memory r = new address[](n);
            for (uint256 i = 0; i < n; ++i) {
                if (i % 2 == 0) {
                    GasBurner burner = new GasBurner();
                    burner.setArmed(true);
                    r[i] = address(burner);
                } else {
                    ReturnBomb bomb = new ReturnBomb();
                    bomb.setArmed(true);
                    r[i] = address(bomb);
                }
            }
            (bytes32 id, IAgreementEngine.AgreementParams memory p) =
                _accessed(r, 1 ether, keccak256(abi.encode("bound", n)));
            assertTrue(_release(id, p, 60_000 + 170_000 * n), "release within the node's bound");
            assertEq(uint256(_state(id, 2)), uint256(IAgreementEngine.ConditionState.Fulfilled), "released");
            for (uint256 i = 0; i < n; ++i) {
                assertEq(engine.owed(r[i], address(0)), 1 ether, "deferred");
            }
        }
    }

    // ------------------------------------------------------------ the pull side

    /// A pull copies no return data either: pushing to an armed bomb fails cleanly with
    /// WithdrawalFailed (the amount stays owed) instead of running the caller out of gas.
    function test_withdrawFor_toAReturnBombFailsCleanly() public {
        ReturnBomb bomb = new ReturnBomb();
        bomb.setArmed(true);
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(publisher, address(bomb)), 1 ether);
        engine.releasePayment(id, p);
        (bool ok, bytes memory err) = address(engine).call{gas: 10_000_000}(
            abi.encodeCall(IAgreementEngine.withdrawFor, (address(bomb), address(0)))
        );
        assertFalse(ok);
        assertEq(
            err, abi.encodeWithSelector(IAgreementEngine.WithdrawalFailed.selector, address(bomb), address(0), 1 ether)
        );
        assertEq(engine.owed(address(bomb), address(0)), 1 ether);
    }

    function test_withdrawFor_revertsWhenNothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NothingToWithdraw.selector, publisher, address(0)));
        vm.prank(STRANGER);
        engine.withdrawFor(publisher, address(0));
    }

    /// A refund pushed to a consumer contract that refuses it becomes the consumer's pull balance.
    function test_refundPayment_refusingConsumerIsDeferred() public {
        GasBurner refuser = new GasBurner();
        refuser.setArmed(true);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.consumer = address(refuser);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        assertTrue(_refund(id, p, 1_000_000), "refund with 1M gas");
        assertEq(engine.owed(address(refuser), address(0)), 1 ether);
        refuser.setArmed(false);
        engine.withdrawFor(address(refuser), address(0));
        assertEq(address(refuser).balance, 1 ether);
    }

    function _refund(bytes32 id, IAgreementEngine.AgreementParams memory p, uint256 gasLimit)
        internal
        returns (bool ok)
    {
        (ok,) = address(engine).call{gas: gasLimit}(abi.encodeCall(IAgreementEngine.refundPayment, (id, p)));
    }

    /// Below the push budget the release reverts with the gas it needed, so a node can retry.
    function test_releasePayment_revertsWithTooLittleGasForAPush() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _accessed(_two(publisher, marketplace), 1 ether);
        (bool ok, bytes memory err) =
            address(engine).call{gas: 100_000}(abi.encodeCall(IAgreementEngine.releasePayment, (id, p)));
        assertFalse(ok);
        assertEq(bytes4(err), IAgreementEngine.InsufficientGasForPush.selector);
        assertEq(uint256(_state(id, 2)), 0, "nothing changed");
    }
}
