// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";
import {AssetNFT1155} from "../src/AssetNFT1155.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {MockERC20, FeeOnTransferERC20, BlockingERC20} from "./mocks/Tokens.sol";
import {MaliciousReceiver} from "./mocks/Attackers.sol";

contract AgreementEngineTest is Fixture {
    MockERC20 internal token;

    event TemplateRegistered(bytes32 indexed templateId, IAgreementEngine.ConditionType[] types, uint8[] dependencies);
    event AgreementCreated(
        bytes32 indexed agreementId,
        bytes32 indexed did,
        address indexed consumer,
        address creator,
        IAgreementEngine.AgreementParams params
    );
    event ConditionFulfilled(
        bytes32 indexed agreementId, uint256 indexed index, IAgreementEngine.ConditionType conditionType, address by
    );
    event ConditionAborted(
        bytes32 indexed agreementId, uint256 indexed index, IAgreementEngine.ConditionType conditionType, address by
    );
    event PaymentLocked(bytes32 indexed agreementId, address indexed payer, address token, uint256 amount);
    event PaymentReleased(bytes32 indexed agreementId, address token, uint256 amount);
    event PaymentRefunded(bytes32 indexed agreementId, address indexed consumer, address token, uint256 amount);
    event PaymentDeferred(address indexed account, address indexed token, uint256 amount);
    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    event ComputeExecuted(
        bytes32 indexed agreementId, bytes32 indexed did, address indexed provider, bytes32 resultHash
    );
    event AllowListUpdated(bytes32 indexed did, address indexed account, bool allowed);

    bytes32 internal constant SEED = keccak256("order");

    function setUp() public override {
        super.setUp();
        token = new MockERC20();
        token.mint(consumer, 1_000 ether);
    }

    // ------------------------------------------------------------ helpers

    function _types(uint8 a, uint8 b, uint8 c) internal pure returns (IAgreementEngine.ConditionType[] memory t) {
        t = new IAgreementEngine.ConditionType[](3);
        t[0] = IAgreementEngine.ConditionType(a);
        t[1] = IAgreementEngine.ConditionType(b);
        t[2] = IAgreementEngine.ConditionType(c);
    }

    function _deps(uint8 a, uint8 b, uint8 c) internal pure returns (uint8[] memory d) {
        d = new uint8[](3);
        d[0] = a;
        d[1] = b;
        d[2] = c;
    }

    function _paidAndAccessed(uint256 price) internal returns (bytes32 id, IAgreementEngine.AgreementParams memory p) {
        (id, p) = _createPaid(SEED, price);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    // ------------------------------------------------------------ registerTemplate

    function test_registerTemplate_storesAndEmits() public {
        IAgreementEngine.ConditionType[] memory t = _types(0, 6, 2);
        uint8[] memory d = _deps(0, 1, 3);
        // paid compute is registered by the fixture; a new shape: lock -> access, escrow waits on both,
        // and compute is not needed. Use (lock, allowlist-gated access) instead:
        t = new IAgreementEngine.ConditionType[](4);
        t[0] = IAgreementEngine.ConditionType.AllowList;
        t[1] = IAgreementEngine.ConditionType.LockPayment;
        t[2] = IAgreementEngine.ConditionType.Access;
        t[3] = IAgreementEngine.ConditionType.EscrowPayment;
        d = new uint8[](4);
        d[2] = 0x03;
        d[3] = 0x06;
        bytes32 expected = engine.computeTemplateId(t, d);
        vm.expectEmit(address(engine));
        emit TemplateRegistered(expected, t, d);
        bytes32 id = engine.registerTemplate(t, d);
        assertEq(id, expected);
        (IAgreementEngine.ConditionType[] memory gotT, uint8[] memory gotD) = engine.getTemplate(id);
        assertEq(gotT.length, 4);
        for (uint256 i = 0; i < 4; ++i) {
            assertEq(uint256(gotT[i]), uint256(t[i]));
            assertEq(gotD[i], d[i]);
        }
    }

    /// The five standard templates have fixed ids (content hashes) that deploy tools and nodes
    /// may rely on; contracts/README.md lists them.
    function test_registerTemplate_standardIds() public view {
        assertEq(paidAccess, 0x0d68b76ea490edfd2ebf775e8135d8e1451d7d385817131a8b35d1beb41b01b8);
        assertEq(paidCompute, 0xaaa8444064041b05c1e04b0795865bdf61f740e124a9acfb09f4008341105608);
        assertEq(nftSale, 0x385c59e2afddca00c3630abcfa168aac67dfc25ec562c75c7b7b3fa036620ba3);
        assertEq(nftAccess, 0xce083097920dd75bf2e0b9118ebaf4c640a8f08a1f48f890c4a1f07763caaef8);
        assertEq(allowListed, 0x1b63c6cdab89ca69500eddd193624c3b3149eb3b6552b90b2682066923a45ee1);
    }

    function test_registerTemplate_revertsOnEmpty() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidTemplateSize.selector, 0));
        engine.registerTemplate(new IAgreementEngine.ConditionType[](0), new uint8[](0));
    }

    function test_registerTemplate_revertsOnTooMany() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidTemplateSize.selector, 9));
        engine.registerTemplate(new IAgreementEngine.ConditionType[](9), new uint8[](9));
    }

    function test_registerTemplate_revertsOnLengthMismatch() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.TemplateLengthMismatch.selector, 3, 2));
        engine.registerTemplate(_types(0, 1, 2), new uint8[](2));
    }

    function test_registerTemplate_revertsOnDuplicateType() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.DuplicateConditionType.selector, IAgreementEngine.ConditionType.Access
            )
        );
        engine.registerTemplate(_types(1, 1, 3), _deps(0, 0, 0));
    }

    function test_registerTemplate_revertsOnSelfDependency() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidDependency.selector, 1, 0x02));
        engine.registerTemplate(_types(0, 1, 2), _deps(0, 0x02, 0x03));
    }

    function test_registerTemplate_revertsOnForwardDependency() public {
        // access waiting on the escrow after it would be a cycle through the escrow's deps
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidDependency.selector, 0, 0x04));
        engine.registerTemplate(_types(1, 0, 2), _deps(0x04, 0, 0x03));
    }

    function test_registerTemplate_revertsOnLockWithoutEscrow() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InvalidTemplateWiring.selector, 0, IAgreementEngine.ConditionType.LockPayment
            )
        );
        engine.registerTemplate(_types(0, 1, 5), _deps(0, 1, 0));
    }

    function test_registerTemplate_revertsOnEscrowWithoutLock() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InvalidTemplateWiring.selector, 2, IAgreementEngine.ConditionType.EscrowPayment
            )
        );
        engine.registerTemplate(_types(5, 1, 2), _deps(0, 1, 3));
    }

    function test_registerTemplate_revertsOnEscrowNotWaitingOnLock() public {
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InvalidTemplateWiring.selector, 2, IAgreementEngine.ConditionType.EscrowPayment
            )
        );
        engine.registerTemplate(_types(0, 1, 2), _deps(0, 1, 0x02));
    }

    function test_registerTemplate_revertsOnEscrowWaitingOnlyOnLock() public {
        // the escrow would release without access: payment before service
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InvalidTemplateWiring.selector, 2, IAgreementEngine.ConditionType.EscrowPayment
            )
        );
        engine.registerTemplate(_types(0, 1, 2), _deps(0, 1, 0x01));
    }

    function test_registerTemplate_revertsWhenRegistered() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.TemplateAlreadyRegistered.selector, paidAccess));
        engine.registerTemplate(_types(0, 1, 2), _deps(0, 1, 3));
    }

    // ------------------------------------------------------------ createAgreement

    function test_createAgreement_storesUnfulfilledAndEmits() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        bytes32 expected = engine.computeAgreementId(SEED, consumer);
        vm.expectEmit(address(engine));
        emit AgreementCreated(expected, did, consumer, consumer, p);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        assertEq(id, expected);
        assertTrue(engine.agreementExists(id));
        assertTrue(engine.checkParams(id, p));
        for (uint256 i = 0; i < 3; ++i) {
            assertEq(uint256(_state(id, i)), 0);
        }
    }

    function test_createAgreement_idDependsOnCreator() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 a = engine.createAgreement(SEED, p);
        vm.prank(marketplace); // same seed, another sender: no collision, no front-running
        bytes32 b = engine.createAgreement(SEED, p);
        assertTrue(a != b);
    }

    function test_createAgreement_revertsWhenExists() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.AgreementAlreadyExists.selector, id));
        vm.prank(consumer);
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnUnknownTemplate() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = keccak256("nope");
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.UnknownTemplate.selector, p.templateId));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnZeroConsumer() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.consumer = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidConsumer.selector, address(0)));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnInvertedWindow() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.validFrom = T0 + 10;
        p.validUntil = T0 + 5;
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidValidityWindow.selector, T0 + 10, T0 + 5));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnTimesLength() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks = new uint64[](2);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionTimesLengthMismatch.selector, 3, 2, 3));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnTimeLockAfterTimeOut() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[1] = ACCESS_TIMEOUT;
        vm.expectRevert(
            abi.encodeWithSelector(IAgreementEngine.InvalidConditionTimes.selector, 1, ACCESS_TIMEOUT, ACCESS_TIMEOUT)
        );
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnEscrowTimeOut() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[2] = ACCESS_TIMEOUT;
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidConditionTimes.selector, 2, 0, ACCESS_TIMEOUT));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnGateWithoutTimeOut() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[1] = 0; // access could then never be aborted: the payment could never come back
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidConditionTimes.selector, 1, 0, 0));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnNoReceivers() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.receivers = new address[](0);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidPaymentTerms.selector, 0, 1));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnReceiversAmountsMismatch() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.amounts = new uint256[](2);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidPaymentTerms.selector, 1, 2));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnTooManyReceivers() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.receivers = new address[](9);
        p.payment.amounts = new uint256[](9);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidPaymentTerms.selector, 9, 9));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnZeroReceiver() public {
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.1 ether);
        p.payment.receivers[1] = address(0);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidReceiver.selector, 1));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnPriceOverflow() public {
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.1 ether);
        p.payment.amounts[0] = type(uint256).max;
        vm.expectRevert(abi.encodeWithSignature("Panic(uint256)", 0x11));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnMissingNftTerms() public {
        IAgreementEngine.AgreementParams memory p = _baseParams(nftAccess, 2);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.InvalidNftTerms.selector, address(0), address(0), 0));
        engine.createAgreement(SEED, p);
    }

    function test_createAgreement_revertsOnSaleWithoutSeller() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = nftSale;
        p.nft.nft = address(0x1234);
        p.nft.amount = 1;
        vm.expectRevert(
            abi.encodeWithSelector(IAgreementEngine.InvalidNftTerms.selector, address(0x1234), address(0), 1)
        );
        engine.createAgreement(SEED, p);
    }

    // ------------------------------------------------------------ createAgreementAndLock / lockPayment

    function test_createAgreementAndLock_locksEther() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        bytes32 expected = engine.computeAgreementId(SEED, consumer);
        vm.expectEmit(address(engine));
        emit ConditionFulfilled(expected, 0, IAgreementEngine.ConditionType.LockPayment, consumer);
        vm.expectEmit(address(engine));
        emit PaymentLocked(expected, consumer, address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        assertEq(address(engine).balance, 1 ether);
        assertEq(uint256(_state(id, 0)), uint256(IAgreementEngine.ConditionState.Fulfilled));
        assertEq(uint256(_state(id, 1)), 0);
    }

    function test_createAgreementAndLock_revertsOnWrongValue() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.IncorrectPaymentValue.selector, 1 ether, 0.5 ether));
        vm.prank(consumer);
        engine.createAgreementAndLock{value: 0.5 ether}(SEED, p);
    }

    function test_createAgreementAndLock_revertsWithoutLockCondition() public {
        IAgreementEngine.AgreementParams memory p = _baseParams(allowListed, 2);
        bytes32 id = engine.computeAgreementId(SEED, consumer);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotInTemplate.selector, id, IAgreementEngine.ConditionType.LockPayment
            )
        );
        vm.prank(consumer);
        engine.createAgreementAndLock(SEED, p);
    }

    function test_lockPayment_locksEther() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.prank(marketplace); // anyone may pay
        vm.deal(marketplace, 1 ether);
        engine.lockPayment{value: 1 ether}(id, p);
        assertEq(address(engine).balance, 1 ether);
        assertEq(uint256(_state(id, 0)), 1);
    }

    function test_lockPayment_locksERC20() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(token), 5 ether);
        vm.startPrank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        token.approve(address(engine), 5 ether);
        vm.expectEmit(address(engine));
        emit PaymentLocked(id, consumer, address(token), 5 ether);
        engine.lockPayment(id, p);
        vm.stopPrank();
        assertEq(token.balanceOf(address(engine)), 5 ether);
        assertEq(token.balanceOf(consumer), 995 ether);
    }

    function test_lockPayment_revertsOnEtherWithERC20() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(token), 5 ether);
        vm.startPrank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        token.approve(address(engine), 5 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.IncorrectPaymentValue.selector, 0, 1));
        engine.lockPayment{value: 1}(id, p);
        vm.stopPrank();
    }

    function test_lockPayment_revertsOnFeeOnTransferToken() public {
        FeeOnTransferERC20 fee = new FeeOnTransferERC20();
        fee.mint(consumer, 100 ether);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(fee), 10 ether);
        vm.startPrank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        fee.approve(address(engine), 10 ether);
        vm.expectRevert(
            abi.encodeWithSelector(IAgreementEngine.PaymentTokenShortfall.selector, address(fee), 10 ether, 9.9 ether)
        );
        engine.lockPayment(id, p);
        vm.stopPrank();
    }

    function test_lockPayment_revertsWithoutAllowance() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(token), 5 ether);
        vm.startPrank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(); // ERC20InsufficientAllowance from the token
        engine.lockPayment(id, p);
        vm.stopPrank();
    }

    function test_lockPayment_revertsOnUnknownAgreement() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.AgreementNotFound.selector, bytes32(uint256(1))));
        engine.lockPayment{value: 1 ether}(bytes32(uint256(1)), p);
    }

    function test_lockPayment_revertsOnChangedParams() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        p.payment.amounts[0] = 1 wei; // pay less than agreed
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.AgreementParamsMismatch.selector, id));
        vm.prank(consumer);
        engine.lockPayment{value: 1 wei}(id, p);
    }

    function test_lockPayment_revertsWhenLocked() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 0, IAgreementEngine.ConditionState.Fulfilled
            )
        );
        vm.prank(consumer);
        engine.lockPayment{value: 1 ether}(id, p);
    }

    function test_lockPayment_revertsBeforeTimeLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[0] = T0 + 100;
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionTimeLocked.selector, id, 0, T0 + 100));
        vm.prank(consumer);
        engine.lockPayment{value: 1 ether}(id, p);
    }

    function test_lockPayment_revertsAfterTimeOut() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[0] = T0 + 100;
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.warp(T0 + 101);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionTimedOut.selector, id, 0, T0 + 100));
        vm.prank(consumer);
        engine.lockPayment{value: 1 ether}(id, p);
    }

    // ------------------------------------------------------------ fulfillAccess

    function test_fulfillAccess_byProviderAfterLock() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        assertFalse(engine.hasAccess(id, p));
        vm.expectEmit(address(engine));
        emit ConditionFulfilled(id, 1, IAgreementEngine.ConditionType.Access, provider);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertEq(uint256(_state(id, 1)), 1);
        assertTrue(engine.hasAccess(id, p));
    }

    function test_fulfillAccess_revertsBeforeLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.DependencyNotFulfilled.selector, id, 1, 0));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsForNonProvider() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotProvider.selector, did, publisher));
        vm.prank(publisher);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsForRemovedProvider() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.prank(publisher);
        registry.removeProvider(did, provider);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotProvider.selector, did, provider));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsBeforeWindow() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.validFrom = T0 + 50;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.OutsideValidityWindow.selector, id, T0 + 50, 0));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsAfterWindow() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.validUntil = T0 + 50;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.warp(T0 + 51);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.OutsideValidityWindow.selector, id, 0, T0 + 50));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsAfterTimeOut() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT + 1);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionTimedOut.selector, id, 1, ACCESS_TIMEOUT));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsTwice() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _paidAndAccessed(1 ether);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 1, IAgreementEngine.ConditionState.Fulfilled
            )
        );
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsAfterAbort() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        vm.warp(T0); // even if time could go back, an aborted condition stays aborted
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 1, IAgreementEngine.ConditionState.Aborted
            )
        );
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    function test_fulfillAccess_revertsWhenTemplateHasNoAccess() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = paidCompute;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotInTemplate.selector, id, IAgreementEngine.ConditionType.Access
            )
        );
        vm.prank(provider);
        engine.fulfillAccess(id, p);
    }

    // ------------------------------------------------------------ fulfillCompute

    function test_fulfillCompute_byProviderAfterLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = paidCompute;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.expectEmit(address(engine));
        emit ComputeExecuted(id, did, provider, keccak256("output"));
        vm.prank(provider);
        engine.fulfillCompute(id, p, keccak256("output"));
        assertEq(uint256(_state(id, 1)), 1);
        engine.releasePayment(id, p);
        assertEq(publisher.balance, 1 ether);
    }

    function test_fulfillCompute_revertsForNonProvider() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = paidCompute;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotProvider.selector, did, consumer));
        vm.prank(consumer);
        engine.fulfillCompute(id, p, bytes32(0));
    }

    function test_fulfillCompute_revertsBeforeLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = paidCompute;
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.DependencyNotFulfilled.selector, id, 1, 0));
        vm.prank(provider);
        engine.fulfillCompute(id, p, bytes32(0));
    }

    // ------------------------------------------------------------ NFT conditions

    function _nftAccessParams(address nft, IAgreementEngine.NftStandard standard, uint256 tokenId, uint256 amount)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p = _baseParams(nftAccess, 2);
        p.nft.nft = nft;
        p.nft.standard = standard;
        p.nft.tokenId = tokenId;
        p.nft.amount = amount;
    }

    function test_fulfillNftHolder_erc1155HolderGetsAccess() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "");
        vm.prank(publisher);
        editions.mint(did, consumer, 2, "");
        IAgreementEngine.AgreementParams memory p =
            _nftAccessParams(address(editions), IAgreementEngine.NftStandard.ERC1155, uint256(did), 2);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        engine.fulfillNftHolder(id, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertTrue(engine.hasAccess(id, p));
        vm.prank(consumer);
        editions.safeTransferFrom(consumer, marketplace, uint256(did), 1, "");
        assertFalse(engine.hasAccess(id, p)); // sold one of two: below the required holding
    }

    function test_hasAccess_erc721FollowsToken() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        vm.prank(publisher);
        uint256 tokenId = collection.mint(did, consumer);
        IAgreementEngine.AgreementParams memory p =
            _nftAccessParams(address(collection), IAgreementEngine.NftStandard.ERC721, tokenId, 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        engine.fulfillNftHolder(id, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertTrue(engine.hasAccess(id, p));
        vm.prank(consumer);
        collection.burn(tokenId);
        assertFalse(engine.hasAccess(id, p));
    }

    function test_fulfillNftHolder_revertsOnInsufficientErc1155() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "");
        vm.prank(publisher);
        editions.mint(did, consumer, 1, "");
        IAgreementEngine.AgreementParams memory p =
            _nftAccessParams(address(editions), IAgreementEngine.NftStandard.ERC1155, uint256(did), 2);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InsufficientNftBalance.selector, address(editions), uint256(did), consumer, 1, 2
            )
        );
        engine.fulfillNftHolder(id, p);
    }

    function test_fulfillNftHolder_erc721Owner() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        vm.prank(publisher);
        uint256 tokenId = collection.mint(did, consumer);
        IAgreementEngine.AgreementParams memory p =
            _nftAccessParams(address(collection), IAgreementEngine.NftStandard.ERC721, tokenId, 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        engine.fulfillNftHolder(id, p);
        assertEq(uint256(_state(id, 0)), 1);
    }

    function test_fulfillNftHolder_revertsForErc721NonOwner() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        vm.prank(publisher);
        uint256 tokenId = collection.mint(did, marketplace);
        IAgreementEngine.AgreementParams memory p =
            _nftAccessParams(address(collection), IAgreementEngine.NftStandard.ERC721, tokenId, 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.InsufficientNftBalance.selector, address(collection), tokenId, consumer, 0, 1
            )
        );
        engine.fulfillNftHolder(id, p);
    }

    function _saleParams(address nft, IAgreementEngine.NftStandard standard, uint256 tokenId, uint256 amount)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p = _paidParams(address(0), 1 ether);
        p.templateId = nftSale;
        p.nft.nft = nft;
        p.nft.standard = standard;
        p.nft.tokenId = tokenId;
        p.nft.amount = amount;
        p.nft.seller = publisher;
    }

    function test_fulfillNftTransfer_erc1155SaleWithRoyalty() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "");
        address artist = address(0xA47);
        vm.startPrank(publisher);
        editions.mint(did, marketplace, 5, "");
        editions.setRoyalty(did, artist, 1000); // 10 %
        vm.stopPrank();
        vm.prank(marketplace);
        editions.setApprovalForAll(address(engine), true);
        // a resale: the holder sells, the artist gets its royalty through the escrow
        IAgreementEngine.AgreementParams memory p =
            _saleParams(address(editions), IAgreementEngine.NftStandard.ERC1155, uint256(did), 2);
        p.nft.seller = marketplace;
        p.payment.receivers = new address[](2);
        p.payment.receivers[0] = marketplace;
        p.payment.receivers[1] = artist;
        p.payment.amounts = new uint256[](2);
        p.payment.amounts[0] = 0.9 ether;
        p.payment.amounts[1] = 0.1 ether;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(marketplace);
        engine.fulfillNftTransfer(id, p);
        assertEq(editions.balanceOf(consumer, uint256(did)), 2);
        engine.releasePayment(id, p);
        assertEq(marketplace.balance, 0.9 ether);
        assertEq(artist.balance, 0.1 ether);
    }

    function test_createAgreement_revertsOnSaleWithoutRoyalty() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        address artist = address(0xA47);
        vm.startPrank(publisher);
        uint256 tokenId = collection.mint(did, publisher);
        collection.setRoyalty(did, artist, 500); // 5 %
        vm.stopPrank();
        IAgreementEngine.AgreementParams memory p =
            _saleParams(address(collection), IAgreementEngine.NftStandard.ERC721, tokenId, 1);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.RoyaltyNotPaid.selector, artist, 0.05 ether, 0));
        vm.prank(consumer);
        engine.createAgreementAndLock{value: 1 ether}(SEED, p);
    }

    function test_fulfillNftTransfer_erc721Sale() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        vm.startPrank(publisher);
        uint256 tokenId = collection.mint(did, publisher);
        collection.setApprovalForAll(address(engine), true);
        vm.stopPrank();
        IAgreementEngine.AgreementParams memory p =
            _saleParams(address(collection), IAgreementEngine.NftStandard.ERC721, tokenId, 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(publisher);
        engine.fulfillNftTransfer(id, p);
        assertEq(collection.ownerOf(tokenId), consumer);
    }

    function test_fulfillNftTransfer_revertsForNonSeller() public {
        IAgreementEngine.AgreementParams memory p =
            _saleParams(address(0x1234), IAgreementEngine.NftStandard.ERC1155, uint256(did), 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotSeller.selector, consumer, publisher));
        vm.prank(consumer);
        engine.fulfillNftTransfer(id, p);
    }

    function test_fulfillNftTransfer_revertsBeforeLock() public {
        IAgreementEngine.AgreementParams memory p =
            _saleParams(address(0x1234), IAgreementEngine.NftStandard.ERC1155, uint256(did), 1);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.DependencyNotFulfilled.selector, id, 1, 0));
        vm.prank(publisher);
        engine.fulfillNftTransfer(id, p);
    }

    // ------------------------------------------------------------ allow-list

    function test_setAllowListed_byOwner() public {
        vm.expectEmit(address(engine));
        emit AllowListUpdated(did, consumer, true);
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true);
        assertTrue(engine.isAllowListed(did, consumer));
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, false);
        assertFalse(engine.isAllowListed(did, consumer));
    }

    function test_setAllowListed_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotAssetOwner.selector, did, consumer));
        vm.prank(consumer);
        engine.setAllowListed(did, consumer, true);
    }

    function test_fulfillAllowList_listedConsumerGetsAccess() public {
        vm.prank(publisher);
        engine.setAllowListed(did, consumer, true);
        IAgreementEngine.AgreementParams memory p = _baseParams(allowListed, 2);
        p.validUntil = T0 + 1 hours;
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        engine.fulfillAllowList(id, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        assertTrue(engine.hasAccess(id, p));
        vm.warp(T0 + 1 hours + 1);
        assertFalse(engine.hasAccess(id, p)); // the window closed
    }

    function test_fulfillAllowList_revertsForUnlisted() public {
        IAgreementEngine.AgreementParams memory p = _baseParams(allowListed, 2);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NotAllowListed.selector, did, consumer));
        engine.fulfillAllowList(id, p);
    }

    // ------------------------------------------------------------ releasePayment

    function test_releasePayment_paysReceivers() public {
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.025 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        vm.expectEmit(address(engine));
        emit PaymentReleased(id, address(0), 1 ether);
        engine.releasePayment(id, p);
        assertEq(publisher.balance, 0.975 ether);
        assertEq(marketplace.balance, 0.025 ether);
        assertEq(address(engine).balance, 0);
        assertEq(uint256(_state(id, 2)), 1);
    }

    function test_releasePayment_paysERC20() public {
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(token), 10 ether, 1 ether);
        vm.startPrank(consumer);
        token.approve(address(engine), 10 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        assertEq(token.balanceOf(publisher), 9 ether);
        assertEq(token.balanceOf(marketplace), 1 ether);
        assertEq(token.balanceOf(address(engine)), 0);
    }

    function test_releasePayment_revertsBeforeAccess() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.DependencyNotFulfilled.selector, id, 2, 1));
        engine.releasePayment(id, p);
    }

    function test_releasePayment_revertsTwice() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _paidAndAccessed(1 ether);
        engine.releasePayment(id, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 2, IAgreementEngine.ConditionState.Fulfilled
            )
        );
        engine.releasePayment(id, p);
    }

    function test_releasePayment_revertsBeforeEscrowTimeLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeLocks[2] = T0 + 1 hours; // a dispute window before the publisher is paid
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionTimeLocked.selector, id, 2, T0 + 1 hours));
        engine.releasePayment(id, p);
        vm.warp(T0 + 1 hours);
        engine.releasePayment(id, p);
    }

    function test_releasePayment_defersRefusedEther() public {
        MaliciousReceiver refuser = new MaliciousReceiver();
        refuser.setRevertAfter(true);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.1 ether);
        p.payment.receivers[1] = address(refuser);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        vm.expectEmit(address(engine));
        emit PaymentDeferred(address(refuser), address(0), 0.1 ether);
        engine.releasePayment(id, p);
        assertEq(publisher.balance, 0.9 ether); // the publisher is not blocked by the refusing receiver
        assertEq(engine.owed(address(refuser), address(0)), 0.1 ether);
        assertEq(address(engine).balance, 0.1 ether);
    }

    function test_releasePayment_defersBlockedToken() public {
        BlockingERC20 blk = new BlockingERC20();
        blk.mint(consumer, 10 ether);
        blk.setBlocked(marketplace);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(blk), 10 ether, 1 ether);
        vm.startPrank(consumer);
        blk.approve(address(engine), 10 ether);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.stopPrank();
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        assertEq(blk.balanceOf(publisher), 9 ether);
        assertEq(engine.owed(marketplace, address(blk)), 1 ether);
    }

    // ------------------------------------------------------------ refundPayment / abortCondition

    function test_refundPayment_afterAccessTimedOut() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        uint256 before = consumer.balance;
        vm.warp(ACCESS_TIMEOUT + 1);
        vm.expectEmit(address(engine));
        emit ConditionAborted(id, 1, IAgreementEngine.ConditionType.Access, address(this));
        engine.abortCondition(id, p, 1);
        vm.expectEmit(address(engine));
        emit PaymentRefunded(id, consumer, address(0), 1 ether);
        engine.refundPayment(id, p);
        assertEq(consumer.balance, before + 1 ether);
        assertEq(uint256(_state(id, 2)), uint256(IAgreementEngine.ConditionState.Aborted));
        assertEq(address(engine).balance, 0);
    }

    function test_refundPayment_revertsWhileAccessPending() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT + 1); // timed out but not aborted yet
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.RefundNotAllowed.selector, id));
        engine.refundPayment(id, p);
    }

    function test_refundPayment_revertsWithoutLock() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.RefundNotAllowed.selector, id));
        engine.refundPayment(id, p);
    }

    function test_refundPayment_revertsAfterRelease() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _paidAndAccessed(1 ether);
        engine.releasePayment(id, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 2, IAgreementEngine.ConditionState.Fulfilled
            )
        );
        engine.refundPayment(id, p);
    }

    function test_refundPayment_revertsTwice() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        engine.refundPayment(id, p);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 2, IAgreementEngine.ConditionState.Aborted
            )
        );
        engine.refundPayment(id, p);
    }

    function test_refundPayment_revertsOnChangedConsumer() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT + 1);
        engine.abortCondition(id, p, 1);
        p.consumer = address(this); // redirect the refund
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.AgreementParamsMismatch.selector, id));
        engine.refundPayment(id, p);
    }

    function test_abortCondition_revertsBeforeTimeOut() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(ACCESS_TIMEOUT); // at the time out it is still fulfillable, not abortable
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotTimedOut.selector, id, 1, ACCESS_TIMEOUT));
        engine.abortCondition(id, p, 1);
    }

    function test_abortCondition_revertsWithoutTimeOut() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.warp(type(uint64).max);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotUnfulfilled.selector, id, 0, 1));
        engine.abortCondition(id, p, 0); // the lock is fulfilled
        IAgreementEngine.AgreementParams memory q = _baseParams(allowListed, 2);
        vm.prank(consumer);
        bytes32 id2 = engine.createAgreement(keccak256("2"), q);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotTimedOut.selector, id2, 0, 0));
        engine.abortCondition(id2, q, 0);
    }

    function test_abortCondition_revertsForEscrow() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotAbortable.selector, id, 2, 3));
        engine.abortCondition(id, p, 2);
    }

    function test_abortCondition_revertsOutOfRange() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotAbortable.selector, id, 3, 3));
        engine.abortCondition(id, p, 3);
    }

    function test_abortCondition_revertsAfterFulfilled() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _paidAndAccessed(1 ether);
        vm.warp(ACCESS_TIMEOUT + 1);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAgreementEngine.ConditionNotUnfulfilled.selector, id, 1, IAgreementEngine.ConditionState.Fulfilled
            )
        );
        engine.abortCondition(id, p, 1);
    }

    function test_abortCondition_revertsOnUnknownAgreement() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.AgreementNotFound.selector, bytes32(0)));
        engine.abortCondition(bytes32(0), p, 1);
    }

    // ------------------------------------------------------------ withdraw

    function test_withdraw_paysDeferred() public {
        MaliciousReceiver refuser = new MaliciousReceiver();
        refuser.setRevertAfter(true);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.receivers[0] = address(refuser);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        refuser.setRevertAfter(false);
        vm.expectEmit(address(engine));
        emit Withdrawn(address(refuser), address(0), 1 ether);
        refuser.withdrawFrom(engine);
        assertEq(address(refuser).balance, 1 ether);
        assertEq(engine.owed(address(refuser), address(0)), 0);
    }

    function test_withdraw_revertsWhenNothingOwed() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.NothingToWithdraw.selector, consumer, address(0)));
        vm.prank(consumer);
        engine.withdraw(address(0));
    }

    function test_withdraw_revertsWhenStillRefused() public {
        MaliciousReceiver refuser = new MaliciousReceiver();
        refuser.setRevertAfter(true);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.payment.receivers[0] = address(refuser);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        vm.expectRevert(
            abi.encodeWithSelector(IAgreementEngine.WithdrawalFailed.selector, address(refuser), address(0), 1 ether)
        );
        refuser.withdrawFrom(engine);
    }

    // ------------------------------------------------------------ views

    function test_getTemplate_revertsOnUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.UnknownTemplate.selector, bytes32(0)));
        engine.getTemplate(bytes32(0));
    }

    function test_getConditionState_outOfRangeIsUnfulfilled() public {
        (bytes32 id,) = _createPaid(SEED, 1 ether);
        assertEq(uint256(engine.getConditionState(id, 0)), 1);
        assertEq(uint256(engine.getConditionState(id, 8)), 0);
        assertEq(uint256(engine.getConditionState(bytes32(0), 0)), 0);
    }

    function test_checkParams_falseForOtherParams() public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        assertTrue(engine.checkParams(id, p));
        p.purpose = keccak256("marketing");
        assertFalse(engine.checkParams(id, p));
        assertFalse(engine.hasAccess(id, p));
        assertFalse(engine.agreementExists(bytes32(0)));
    }

    function test_hasAccess_falseWithoutAccessCondition() public {
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.templateId = paidCompute;
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        assertFalse(engine.hasAccess(id, p));
    }

    // ------------------------------------------------------------ fuzz

    function test_fuzz_createAgreementAndLock(uint256 price, uint256 fee, bytes32 seed) public {
        price = bound(price, 0, 1_000 ether);
        fee = bound(fee, 0, price);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), price, fee);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: price}(seed, p);
        assertEq(id, engine.computeAgreementId(seed, consumer));
        assertEq(address(engine).balance, price);
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        engine.releasePayment(id, p);
        assertEq(publisher.balance, price - fee);
        assertEq(marketplace.balance, fee);
        assertEq(address(engine).balance, 0);
    }

    function test_fuzz_lockPayment_wrongValue(uint256 price, uint256 sent) public {
        price = bound(price, 0, 100 ether);
        sent = bound(sent, 0, 200 ether);
        vm.assume(sent != price);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), price);
        vm.prank(consumer);
        bytes32 id = engine.createAgreement(SEED, p);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.IncorrectPaymentValue.selector, price, sent));
        vm.prank(consumer);
        engine.lockPayment{value: sent}(id, p);
    }

    function test_fuzz_abortCondition(uint64 timeOut, uint64 at) public {
        // a quarter of the range lies within the horizon, the rest is refused at creation
        timeOut = uint64(bound(timeOut, T0 + 1, T0 + 4 * engine.TIME_HORIZON()));
        at = uint64(bound(at, T0, type(uint64).max));
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        p.timeOuts[1] = timeOut;
        if (timeOut > T0 + engine.TIME_HORIZON()) {
            vm.expectRevert(
                abi.encodeWithSelector(
                    IAgreementEngine.ConditionTimeBeyondHorizon.selector, 1, timeOut, T0 + engine.TIME_HORIZON()
                )
            );
            vm.prank(consumer);
            engine.createAgreementAndLock{value: 1 ether}(SEED, p);
            return;
        }
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock{value: 1 ether}(SEED, p);
        vm.warp(at);
        if (at <= timeOut) {
            vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.ConditionNotTimedOut.selector, id, 1, timeOut));
            engine.abortCondition(id, p, 1);
            vm.prank(provider);
            engine.fulfillAccess(id, p);
        } else {
            engine.abortCondition(id, p, 1);
            uint256 before = consumer.balance;
            engine.refundPayment(id, p);
            assertEq(consumer.balance, before + 1 ether);
        }
    }

    /// A model of the template rules, checked against the engine on random shapes.
    function test_fuzz_registerTemplate(uint256 shape, uint8 n) public {
        n = uint8(bound(n, 1, 8));
        IAgreementEngine.ConditionType[] memory t = new IAgreementEngine.ConditionType[](n);
        uint8[] memory d = new uint8[](n);
        bool valid = true;
        uint256 seenTypes;
        uint256 lock = type(uint256).max;
        uint256 escrow = type(uint256).max;
        for (uint256 i = 0; i < n; ++i) {
            uint256 ty = uint256(keccak256(abi.encode(shape, i))) % 7;
            t[i] = IAgreementEngine.ConditionType(ty);
            // mostly legal dependencies (earlier indices), sometimes a forward/self one
            uint256 r = uint256(keccak256(abi.encode(shape, i, "d")));
            d[i] = uint8(r % 16 == 0 ? r >> 8 : (r >> 8) & ((1 << i) - 1));
            if (d[i] >> i != 0) valid = false;
            if (seenTypes & (1 << ty) != 0) valid = false;
            seenTypes |= 1 << ty;
            if (ty == 0 && lock == type(uint256).max) lock = i;
            if (ty == 2 && escrow == type(uint256).max) escrow = i;
        }
        if (lock != type(uint256).max || escrow != type(uint256).max) {
            if (lock == type(uint256).max || escrow == type(uint256).max) valid = false;
            else if (d[escrow] & (1 << lock) == 0 || d[escrow] == 1 << lock) valid = false;
        }
        bytes32 id = engine.computeTemplateId(t, d);
        bool registered = id == paidAccess || id == paidCompute || id == nftSale || id == nftAccess || id == allowListed;
        if (!valid || registered) vm.expectRevert();
        engine.registerTemplate(t, d);
        if (valid && !registered) {
            (IAgreementEngine.ConditionType[] memory gotT, uint8[] memory gotD) = engine.getTemplate(id);
            for (uint256 i = 0; i < n; ++i) {
                assertEq(uint256(gotT[i]), uint256(t[i]));
                assertEq(gotD[i], d[i]);
            }
        }
    }

    function test_fuzz_checkParams(bytes32 purpose, uint64 validUntil) public {
        (bytes32 id, IAgreementEngine.AgreementParams memory p) = _createPaid(SEED, 1 ether);
        vm.assume(purpose != p.purpose);
        p.purpose = purpose;
        assertFalse(engine.checkParams(id, p));
        p.purpose = keccak256("research");
        assertTrue(engine.checkParams(id, p));
        vm.assume(validUntil != 0);
        p.validUntil = validUntil;
        assertFalse(engine.checkParams(id, p));
    }
}
