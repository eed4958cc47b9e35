// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "../utils/Test.sol";
import {AgreementEngine} from "../../src/AgreementEngine.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";
import {MockERC20} from "../mocks/Tokens.sol";

/// @notice Makes random calls on paid-access agreements (ether and an ERC-20): create, lock,
/// access by random callers, release, abort, refund, and time passing. Keeps ghost totals of
/// what moved in and out of the vault and counts every rule it sees broken.
contract EscrowHandler is Test {
    AgreementEngine public immutable engine;
    MockERC20 public immutable token;
    bytes32 public immutable templateId; // paid access
    bytes32 public immutable computeTemplateId; // paid compute: the same escrow behind a compute job
    bytes32 public immutable did;
    address public immutable provider;
    address public immutable publisher;
    address public immutable marketplace;

    address[3] internal consumers = [address(0xC1), address(0xC2), address(0xC3)];
    address[4] internal callers;

    bytes32[] public ids;
    mapping(bytes32 => bytes) internal paramsOf;
    mapping(bytes32 => uint256[3]) internal seen; // last state seen per condition

    mapping(address => uint256) public locked;
    mapping(address => uint256) public paid;
    mapping(address => uint256) public refunded;

    uint256 public stateRegressions; // a condition left Fulfilled/Aborted, or was fulfilled twice
    uint256 public releasesWithoutAccess;
    uint256 public refundsBeforeTimeOut;
    uint256 public abortsBeforeTimeOut;
    uint256 public accessByNonProvider;
    uint256 public calls;
    uint256 public releases;
    uint256 public refunds;
    uint256 public accesses;

    constructor(
        AgreementEngine engine_,
        MockERC20 token_,
        bytes32 templateId_,
        bytes32 computeTemplateId_,
        bytes32 did_,
        address provider_,
        address publisher_,
        address marketplace_
    ) {
        engine = engine_;
        token = token_;
        templateId = templateId_;
        computeTemplateId = computeTemplateId_;
        did = did_;
        provider = provider_;
        publisher = publisher_;
        marketplace = marketplace_;
        callers = [provider_, publisher_, address(0xC1), address(0xBAD)];
    }

    function idsLength() external view returns (uint256) {
        return ids.length;
    }

    function params(bytes32 id) public view returns (IAgreementEngine.AgreementParams memory) {
        return abi.decode(paramsOf[id], (IAgreementEngine.AgreementParams));
    }

    // ------------------------------------------------------------ actions

    function create(uint256 seed, uint256 price, uint256 fee, bool useToken, bool lockNow, uint256 who) external {
        calls++;
        price = bound(price, 0, 50 ether);
        fee = bound(fee, 0, price);
        address consumer = consumers[who % 3];
        IAgreementEngine.AgreementParams memory p;
        p.templateId = (seed >> 128) % 4 == 0 ? computeTemplateId : templateId;
        p.did = did;
        p.consumer = consumer;
        p.purpose = bytes32(seed);
        p.timeLocks = new uint64[](3);
        p.timeOuts = new uint64[](3);
        p.timeOuts[0] = uint64(block.timestamp + bound(seed, 1, 3 days));
        p.timeOuts[1] = uint64(block.timestamp + bound(seed >> 64, 1, 3 days));
        p.payment.token = useToken ? address(token) : address(0);
        p.payment.receivers = new address[](2);
        p.payment.receivers[0] = publisher;
        p.payment.receivers[1] = marketplace;
        p.payment.amounts = new uint256[](2);
        p.payment.amounts[0] = price - fee;
        p.payment.amounts[1] = fee;

        bytes32 s = keccak256(abi.encode(seed, ids.length));
        _fund(consumer, p.payment.token, price);
        vm.startPrank(consumer);
        bytes32 id =
            lockNow ? engine.createAgreementAndLock{value: useToken ? 0 : price}(s, p) : engine.createAgreement(s, p);
        vm.stopPrank();
        if (lockNow) locked[p.payment.token] += price;
        ids.push(id);
        paramsOf[id] = abi.encode(p);
        _sync(id);
    }

    function lock(uint256 i) external {
        calls++;
        if (ids.length == 0) return;
        bytes32 id = ids[i % ids.length];
        IAgreementEngine.AgreementParams memory p = params(id);
        uint256 price = p.payment.amounts[0] + p.payment.amounts[1];
        _fund(p.consumer, p.payment.token, price);
        vm.prank(p.consumer);
        try engine.lockPayment{value: p.payment.token == address(0) ? price : 0}(id, p) {
            locked[p.payment.token] += price;
        } catch {}
        _sync(id);
    }

    function access(uint256 i, uint256 who) external {
        calls++;
        if (ids.length == 0) return;
        bytes32 id = ids[i % ids.length];
        address caller = callers[who % callers.length];
        IAgreementEngine.AgreementParams memory p = params(id);
        bool isCompute = p.templateId == computeTemplateId;
        try this.fulfilGate(id, p, isCompute, caller) {
            if (caller != provider) accessByNonProvider++;
            accesses++;
        } catch {}
        _sync(id);
    }

    /// @dev Wrapper so one try/catch covers both gate kinds; only callable by this handler.
    function fulfilGate(bytes32 id, IAgreementEngine.AgreementParams memory p, bool isCompute, address caller)
        external
    {
        require(msg.sender == address(this));
        vm.prank(caller);
        if (isCompute) engine.fulfillCompute(id, p, keccak256("result"));
        else engine.fulfillAccess(id, p);
    }

    function release(uint256 i) external {
        calls++;
        if (ids.length == 0) return;
        bytes32 id = ids[i % ids.length];
        IAgreementEngine.AgreementParams memory p = params(id);
        bool accessFulfilled = engine.getConditionState(id, 1) == IAgreementEngine.ConditionState.Fulfilled;
        uint256 before = _balance(p.payment.token, address(engine));
        try engine.releasePayment(id, p) {
            if (!accessFulfilled) releasesWithoutAccess++;
            releases++;
            paid[p.payment.token] += before - _balance(p.payment.token, address(engine));
        } catch {}
        _sync(id);
    }

    function abort(uint256 i, uint256 index) external {
        calls++;
        if (ids.length == 0) return;
        bytes32 id = ids[i % ids.length];
        index = index % 3;
        IAgreementEngine.AgreementParams memory p = params(id);
        try engine.abortCondition(id, p, index) {
            if (p.timeOuts[index] == 0 || block.timestamp <= p.timeOuts[index]) abortsBeforeTimeOut++;
        } catch {}
        _sync(id);
    }

    function refund(uint256 i) external {
        calls++;
        if (ids.length == 0) return;
        bytes32 id = ids[i % ids.length];
        IAgreementEngine.AgreementParams memory p = params(id);
        uint256 before = _balance(p.payment.token, address(engine));
        try engine.refundPayment(id, p) {
            if (block.timestamp <= p.timeOuts[1]) refundsBeforeTimeOut++;
            refunds++;
            refunded[p.payment.token] += before - _balance(p.payment.token, address(engine));
        } catch {}
        _sync(id);
    }

    function warp(uint256 dt) external {
        calls++;
        vm.warp(block.timestamp + bound(dt, 1, 1 days));
    }

    // ------------------------------------------------------------ helpers

    /// Records the states of `id` and counts any change out of Fulfilled or Aborted.
    function _sync(bytes32 id) internal {
        for (uint256 c = 0; c < 3; ++c) {
            uint256 s = uint256(engine.getConditionState(id, c));
            uint256 last = seen[id][c];
            if (last != 0 && s != last) stateRegressions++;
            seen[id][c] = s;
        }
    }

    function _fund(address who, address t, uint256 amount) internal {
        if (t == address(0)) {
            vm.deal(who, who.balance + amount);
        } else {
            token.mint(who, amount);
            vm.prank(who);
            token.approve(address(engine), type(uint256).max);
        }
    }

    function _balance(address t, address who) internal view returns (uint256) {
        return t == address(0) ? who.balance : token.balanceOf(who);
    }
}
