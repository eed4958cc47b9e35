// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "../utils/Test.sol";
import {AgreementEngine} from "../../src/AgreementEngine.sol";
import {AssetNFT721} from "../../src/AssetNFT721.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {MockERC20, ReturnsFalseERC20, FeeOnTransferERC20} from "../mocks/Tokens.sol";
import {ReturnBomb, GasBurner, PausableSplitter, BookkeepingWallet, RefusingConsumer} from "../mocks/Receivers.sol";

/// @notice Acts on the escrow the way its parties would, against hostile receivers and tokens,
/// and predicts the outcome of every call it makes from its own model of the engine's rules.
///
/// - Agreements of four paid templates (access, compute, allow-listed access, NFT-gated access),
///   in ether or in three ERC-20s (plain, one that answers false for blocked accounts, one that
///   takes a fee), paid to one to three receivers out of two accounts and four contracts that
///   can refuse (a return bomb, a gas burner, a pausable splitter, and a wallet that books each
///   payment), for consumers among which one contract refuses refunds while armed.
/// - Each action draws its agreement from the live ones (at most `MAX_LIVE`, all recent) in the
///   state it acts on, and its caller from the parties who can act (the provider serves, the
///   consumer or a friend pays, anyone releases); one call in eight takes any live agreement
///   (or caller), to also try what must be refused.
/// - Time moves on the scale of the time outs (an hour to a day or two), and one agreement in four
///   is never served, so that time outs, aborts and refunds happen.
/// - A call the model says succeeds is made directly: if the engine reverts, the handler call
///   reverts and the campaign fails (`fail_on_revert`). A call the model says is refused is made
///   in try/catch, and succeeding is counted as a violation. After each call the engine's
///   condition states, owed balances and vault are compared with the model's.
/// - `wayOut()` (run after each sequence) warps past each open lock's time outs in turn and shows
///   its release or refund succeeds, then that every deferred payment can be pushed out.
contract EscrowHandler is Test {
    // ------------------------------------------------------------ the world

    uint256 public constant MAX_LIVE = 24;
    uint256 internal constant N_HANDLERS = 10;
    uint256 internal constant WITHDRAW_GAS = 1_000_000;

    enum H {
        Create,
        Lock,
        Access,
        Check,
        Release,
        Abort,
        Refund,
        Withdraw,
        Toggle,
        Warp
    }

    AgreementEngine public immutable engine;
    bytes32 public immutable did;
    address public immutable provider;
    address public immutable publisher;
    AssetNFT721 public immutable nft;
    bytes32[4] internal templates; // kind -> template id

    address[4] public tokens; // ether, plain, returns false, fee on transfer
    MockERC20 internal immutable plain;
    ReturnsFalseERC20 internal immutable falseToken;
    FeeOnTransferERC20 internal immutable feeToken;

    address[6] public receivers; // two accounts, then the contracts that can refuse
    ReturnBomb internal immutable bomb;
    GasBurner internal immutable burner;
    PausableSplitter internal immutable splitter;
    BookkeepingWallet internal immutable wallet;
    address internal constant PAYEE_A = address(0xA1A1);
    address internal constant PAYEE_B = address(0xB1B1);

    address[4] public consumers; // three accounts and a contract that can refuse a refund
    RefusingConsumer internal immutable refuser;
    address internal constant FRIEND = address(0xF1E1D); // pays for a consumer
    address internal constant STRANGER = address(0x5757);
    uint256[2] internal nftIds;

    // ------------------------------------------------------------ the model

    /// kind 0 paid access [lock, access, escrow]; 1 paid compute [lock, compute, escrow];
    /// 2 allow-listed [lock, allowList, access, escrow]; 3 NFT-gated [lock, nftHolder, access, escrow]
    struct Agreement {
        uint8 kind;
        uint8 gate; // index of the access / compute condition
        uint8 escrow;
        bool served; // the provider serves it (one in four is abandoned)
        uint64 lockOut; // the lock's time out (0: none)
        uint64 checkOut; // kinds 2/3: the allow-list / NFT check's time out (0: none)
        uint64 gateLock; // the gate's time lock
        uint64 gateOut; // the gate's time out
        uint64 escrowLock; // the escrow's time lock (a dispute window)
        uint8[4] state; // the model's condition states (0 Unfulfilled, 1 Fulfilled, 2 Aborted)
    }

    bytes32[] public live;
    mapping(bytes32 => uint256) internal livePos; // index + 1
    mapping(bytes32 => Agreement) internal agreements;
    mapping(bytes32 => bytes) internal paramsOf;
    uint256 internal created;

    mapping(address => uint256) public openLocked; // token -> sum of prices locked and not settled
    mapping(address => mapping(address => uint256)) public owedModel; // account -> token -> owed
    mapping(address => uint256) public owedTotal; // token -> sum owed

    uint256 public violations; // the engine did what the model says it refuses
    uint256 public unpaid; // an accepting receiver (or consumer) did not get its amount
    string public firstViolation;

    uint256[N_HANDLERS] public calls;
    uint256[N_HANDLERS] public tries; // calls that reached the engine
    uint256[N_HANDLERS] public oks; // engine calls that succeeded
    uint256 public wayOutReleases;
    uint256 public wayOutRefunds;
    uint256 public wayOutWithdrawals;
    bytes32 public trace; // a hash of this sequence's calls, to tell runs apart

    constructor(
        AgreementEngine engine_,
        bytes32[4] memory templates_,
        bytes32 did_,
        address provider_,
        address publisher_,
        AssetNFT721 nft_
    ) {
        engine = engine_;
        templates = templates_;
        did = did_;
        provider = provider_;
        publisher = publisher_;
        nft = nft_;

        plain = new MockERC20();
        falseToken = new ReturnsFalseERC20();
        feeToken = new FeeOnTransferERC20();
        tokens = [address(0), address(plain), address(falseToken), address(feeToken)];

        bomb = new ReturnBomb();
        burner = new GasBurner();
        splitter = new PausableSplitter(PAYEE_A, PAYEE_B);
        wallet = new BookkeepingWallet();
        receivers = [publisher_, address(0x3A7), address(bomb), address(burner), address(splitter), address(wallet)];

        refuser = new RefusingConsumer();
        consumers = [address(0xC1), address(0xC2), address(0xC3), address(refuser)];

        vm.startPrank(publisher_);
        for (uint256 i = 0; i < 4; ++i) {
            engine_.setAllowListed(did_, consumers[i], true);
        }
        nftIds[0] = nft_.mint(did_, consumers[0]);
        nftIds[1] = nft_.mint(did_, consumers[1]); // minted safely: to accounts
        vm.stopPrank();
    }

    // ------------------------------------------------------------ actions

    /// A consumer creates an agreement (and, half the time, locks its price in the same call).
    function create(uint256 seed, uint256 price, uint256 times, uint8 how) external {
        _enter(H.Create);
        (seed, times) = (_mix(seed), _mix(times));
        bool lockNow = how % 4 == 0; // else the lock is left to `lock`
        if (live.length == MAX_LIVE && !_evictUnlocked()) return;
        uint8 kind = uint8(seed % 4);
        address consumer = consumers[(seed >> 8) % 4];
        // NFT-gated: mostly ordered by the token's holder, as a client would.
        if (kind == 3 && (seed >> 56) % 4 != 0) consumer = nft.ownerOf(nftIds[(seed >> 48) % 2]);
        IAgreementEngine.AgreementParams memory p = _params(kind, seed, price, times, consumer);
        bytes32 s = keccak256(abi.encode("seed", ++created));
        bytes32 id = engine.computeAgreementId(s, consumer);
        uint256 total = _sum(p.payment.amounts);

        Agreement storage a = agreements[id];
        a.kind = kind;
        a.gate = kind < 2 ? 1 : 2;
        a.escrow = kind < 2 ? 2 : 3;
        a.served = (seed >> 16) % 4 != 0;
        a.lockOut = p.timeOuts[0];
        a.checkOut = kind >= 2 ? p.timeOuts[1] : 0;
        a.gateLock = p.timeLocks[a.gate];
        a.gateOut = p.timeOuts[a.gate];
        a.escrowLock = p.timeLocks[a.escrow];
        paramsOf[id] = abi.encode(p);
        _track(id);

        tries[uint256(H.Create)]++;
        if (!lockNow) {
            vm.prank(consumer);
            engine.createAgreement(s, p);
            oks[uint256(H.Create)]++;
        } else {
            _fund(consumer, p.payment.token, total);
            bool expected = _lockWouldPass(p, consumer);
            vm.prank(consumer);
            try engine.createAgreementAndLock{value: p.payment.token == address(0) ? total : 0}(s, p) {
                if (!expected) _violation("create+lock passed");
                oks[uint256(H.Create)]++;
                a.state[0] = 1;
                openLocked[p.payment.token] += total;
            } catch {
                if (expected) _violation("create+lock refused");
                _untrack(id); // nothing was created
            }
        }
        _sync(id);
    }

    /// The consumer (or a friend paying for it) locks the price of an agreement not yet locked.
    function lock(uint256 pick, uint256 who) external {
        _enter(H.Lock);
        (pick, who) = (_mix(pick), _mix(who));
        (bool found, bytes32 id) = _pick(pick, H.Lock);
        if (!found) return;
        Agreement storage a = agreements[id];
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        address payer = who % 4 == 0 ? FRIEND : p.consumer;
        uint256 total = _sum(p.payment.amounts);
        _fund(payer, p.payment.token, total);
        bool expected = a.state[0] == 0 && _inTime(p, 0) && _lockWouldPass(p, payer);
        tries[uint256(H.Lock)]++;
        if (expected) {
            vm.prank(payer);
            engine.lockPayment{value: p.payment.token == address(0) ? total : 0}(id, p);
            oks[uint256(H.Lock)]++;
            a.state[0] = 1;
            openLocked[p.payment.token] += total;
        } else {
            vm.prank(payer);
            try engine.lockPayment{value: p.payment.token == address(0) ? total : 0}(id, p) {
                _violation("lock passed");
            } catch {}
        }
        _sync(id);
    }

    /// The provider serves (access or compute); now and then someone else tries.
    function access(uint256 pick, uint256 who) external {
        _enter(H.Access);
        (pick, who) = (_mix(pick), _mix(who));
        (bool found, bytes32 id) = _pick(pick, H.Access);
        if (!found) return;
        Agreement storage a = agreements[id];
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        address caller = who % 8 == 0 ? [publisher, STRANGER][(who >> 8) % 2] : provider;
        uint256 g = a.gate;
        bool expected = caller == provider && a.state[g] == 0 && _depsFulfilled(a, g) && _inTime(p, g)
            && (a.kind != 2 || engine.isAllowListed(did, p.consumer));
        tries[uint256(H.Access)]++;
        if (expected) {
            vm.prank(caller);
            if (a.kind == 1) engine.fulfillCompute(id, p, keccak256("result"));
            else engine.fulfillAccess(id, p);
            oks[uint256(H.Access)]++;
            a.state[g] = 1;
        } else {
            vm.prank(caller);
            if (a.kind == 1) {
                try engine.fulfillCompute(id, p, keccak256("result")) {
                    _violation("compute passed");
                } catch {}
            } else {
                try engine.fulfillAccess(id, p) {
                    _violation("access passed");
                } catch {}
            }
        }
        _sync(id);
    }

    /// Anyone fulfils the allow-list or NFT-holder condition in front of access.
    function check(uint256 pick) external {
        _enter(H.Check);
        pick = _mix(pick);
        (bool found, bytes32 id) = _pick(pick, H.Check);
        if (!found) return;
        Agreement storage a = agreements[id];
        if (a.kind < 2) return;
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        bool holds = a.kind == 2 ? engine.isAllowListed(did, p.consumer) : nft.ownerOf(p.nft.tokenId) == p.consumer;
        bool expected = a.state[1] == 0 && _inTime(p, 1) && holds;
        tries[uint256(H.Check)]++;
        vm.prank(STRANGER);
        if (expected) {
            if (a.kind == 2) engine.fulfillAllowList(id, p);
            else engine.fulfillNftHolder(id, p);
            oks[uint256(H.Check)]++;
            a.state[1] = 1;
        } else if (a.kind == 2) {
            try engine.fulfillAllowList(id, p) {
                _violation("allow-list passed");
            } catch {}
        } else {
            try engine.fulfillNftHolder(id, p) {
                _violation("nft holder passed");
            } catch {}
        }
        _sync(id);
    }

    /// Anyone releases a served agreement's escrow; each receiver is paid or credited.
    function release(uint256 pick) external {
        _enter(H.Release);
        pick = _mix(pick);
        (bool found, bytes32 id) = _pick(pick, H.Release);
        if (!found) return;
        tries[uint256(H.Release)]++;
        if (_release(id)) oks[uint256(H.Release)]++;
    }

    /// Anyone aborts a condition; the model says it passes only after the condition's time out.
    function abort(uint256 pick, uint256 index) external {
        _enter(H.Abort);
        pick = _mix(pick);
        (bool found, bytes32 id) = _pick(pick, H.Abort);
        if (!found) return;
        Agreement storage a = agreements[id];
        // The condition that timed out, unless this is one of the calls that try anything.
        if (pick % 8 == 0) index %= a.escrow + 1;
        else index = _timedOut(a, 0) ? 0 : _timedOut(a, 1) ? 1 : a.gate;
        tries[uint256(H.Abort)]++;
        if (_abort(id, index)) oks[uint256(H.Abort)]++;
    }

    /// The consumer takes its price back: aborts the timed-out gate if needed, then refunds.
    function refund(uint256 pick) external {
        _enter(H.Refund);
        pick = _mix(pick);
        (bool found, bytes32 id) = _pick(pick, H.Refund);
        if (!found) return;
        Agreement storage a = agreements[id];
        if (a.state[a.gate] == 0) _abort(id, a.gate); // counted as an abort only in the engine
        tries[uint256(H.Refund)]++;
        if (_refund(id)) oks[uint256(H.Refund)]++;
    }

    /// An account pulls what it is owed, or anyone pushes it to the account (withdrawFor).
    function withdraw(uint256 pick, bool forIt) external {
        _enter(H.Withdraw);
        pick = _mix(pick);
        // An account owed something that accepts payment again (it pulls when it can), in
        // `pick`'s order; else any owed one; one call in eight tries any account at all.
        address acct;
        address token;
        bool any = pick % 8 == 0;
        for (uint256 pass = any ? 2 : 0; pass < (any ? 3 : 2) && acct == address(0); ++pass) {
            for (uint256 k = 0; k < 40; ++k) {
                uint256 j = (pick >> 3) + k;
                address a = _account(j);
                address t = tokens[(j / 10) % 4];
                if (pass == 2 || (owedModel[a][t] > 0 && (pass == 1 || _accepts(t, a)))) {
                    (acct, token) = (a, t);
                    break;
                }
            }
        }
        if (acct == address(0)) return;
        tries[uint256(H.Withdraw)]++;
        if (_withdraw(acct, token, !forIt)) oks[uint256(H.Withdraw)]++;
    }

    /// Receivers and consumers change their minds, the owner edits the allow-list, an NFT moves.
    function toggle(uint256 what, bool on) external {
        _enter(H.Toggle);
        what = _mix(what);
        tries[uint256(H.Toggle)]++;
        oks[uint256(H.Toggle)]++;
        uint256 w = what % 8;
        if (w == 0) bomb.setArmed(on);
        else if (w == 1) burner.setArmed(on);
        else if (w == 2) splitter.setPaused(on);
        else if (w == 3) refuser.setArmed(on);
        else if (w == 4) falseToken.setBlocked(_account(what >> 8), on);
        else if (w == 5) {
            vm.prank(publisher);
            engine.setAllowListed(did, consumers[(what >> 8) % 4], !on || (what >> 16) % 2 == 0);
        } else {
            uint256 tokenId = nftIds[w % 2];
            address from = nft.ownerOf(tokenId);
            vm.prank(from);
            nft.transferFrom(from, consumers[(what >> 8) % 4], tokenId);
        }
        _syncAll();
    }

    /// Time passes: mostly seconds to two hours, now and then up to a day.
    function warp(uint256 dt) external {
        _enter(H.Warp);
        dt = _mix(dt);
        tries[uint256(H.Warp)]++;
        oks[uint256(H.Warp)]++;
        vm.warp(block.timestamp + (dt % 8 == 0 ? bound(dt >> 3, 1 hours, 1 days) : bound(dt >> 3, 1, 2 hours)));
    }

    // ------------------------------------------------------------ the way out

    /// Every open lock has a way out: in the order of their time outs, warps just past each
    /// open agreement's and shows its release (if served) or abort + refund succeeds; then every
    /// receiver turns honest and every deferred payment is pushed to it with withdrawFor.
    /// Reverts (failing the test) if any of it is refused.
    function wayOut() external {
        bytes32[] memory open = new bytes32[](live.length);
        uint64[] memory at = new uint64[](live.length);
        uint256 n;
        for (uint256 i = 0; i < live.length; ++i) {
            Agreement storage a = agreements[live[i]];
            if (a.state[0] != 1 || a.state[a.escrow] != 0) continue;
            open[n] = live[i];
            at[n] = a.gateOut;
            for (uint256 j = n; j > 0 && at[j - 1] > at[j]; --j) {
                (open[j - 1], open[j], at[j - 1], at[j]) = (open[j], open[j - 1], at[j], at[j - 1]);
            }
            ++n;
        }
        for (uint256 i = 0; i < n; ++i) {
            if (block.timestamp <= at[i]) vm.warp(uint256(at[i]) + 1);
            Agreement storage a = agreements[open[i]];
            if (a.state[a.gate] == 1) {
                require(_release(open[i]), "way out: release refused");
                wayOutReleases++;
            } else {
                if (a.state[a.gate] == 0) require(_abort(open[i], a.gate), "way out: abort refused");
                require(_refund(open[i]), "way out: refund refused");
                wayOutRefunds++;
            }
        }
        for (uint256 t = 0; t < 4; ++t) {
            require(openLocked[tokens[t]] == 0, "way out: a lock is left");
        }
        bomb.setArmed(false);
        burner.setArmed(false);
        splitter.setPaused(false);
        refuser.setArmed(false);
        for (uint256 k = 0; k < 10; ++k) {
            address acct = _account(k);
            falseToken.setBlocked(acct, false);
            for (uint256 t = 0; t < 4; ++t) {
                if (owedModel[acct][tokens[t]] == 0) continue;
                require(_withdraw(acct, tokens[t], false), "way out: withdrawFor refused");
                wayOutWithdrawals++;
            }
        }
    }

    // ------------------------------------------------------------ the model's rules

    function _release(bytes32 id) internal returns (bool ok) {
        Agreement storage a = agreements[id];
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        uint256 e = a.escrow;
        bool expected = a.state[e] == 0 && _depsFulfilled(a, e) && block.timestamp >= p.timeLocks[e];
        address t = p.payment.token;
        if (!expected) {
            vm.prank(STRANGER);
            try engine.releasePayment(id, p) {
                _violation("release passed");
            } catch {}
            _sync(id);
            return false;
        }
        uint256 n = p.payment.receivers.length;
        uint256[] memory before = new uint256[](n);
        bool[] memory accepts = new bool[](n);
        for (uint256 i = 0; i < n; ++i) {
            before[i] = _held(t, p.payment.receivers[i]);
            accepts[i] = _accepts(t, p.payment.receivers[i]);
        }
        vm.prank(STRANGER);
        engine.releasePayment(id, p);
        for (uint256 i = 0; i < n; ++i) {
            address r = p.payment.receivers[i];
            uint256 amount = p.payment.amounts[i];
            if (amount == 0) continue;
            if (accepts[i]) {
                if (_held(t, r) - before[i] != amount) _unpaid("receiver not paid");
            } else {
                owedModel[r][t] += amount;
                owedTotal[t] += amount;
            }
        }
        a.state[e] = 1;
        openLocked[t] -= _sum(p.payment.amounts);
        _sync(id);
        _untrack(id);
        return true;
    }

    function _abort(bytes32 id, uint256 index) internal returns (bool) {
        Agreement storage a = agreements[id];
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        bool expected = index != a.escrow && a.state[index] == 0 && p.timeOuts[index] != 0
            && block.timestamp > p.timeOuts[index];
        vm.prank(STRANGER);
        if (expected) {
            engine.abortCondition(id, p, index);
            a.state[index] = 2;
            _sync(id);
            if (index == 0) _untrack(id); // never locked, and now never will be
            return true;
        }
        try engine.abortCondition(id, p, index) {
            _violation("abort passed");
        } catch {}
        _sync(id);
        return false;
    }

    function _refund(bytes32 id) internal returns (bool) {
        Agreement storage a = agreements[id];
        IAgreementEngine.AgreementParams memory p = _paramsOf(id);
        uint256 e = a.escrow;
        bool expected = a.state[e] == 0 && a.state[0] == 1 && a.state[a.gate] == 2;
        address caller = p.consumer == address(refuser) ? STRANGER : p.consumer;
        if (!expected) {
            vm.prank(caller);
            try engine.refundPayment(id, p) {
                _violation("refund passed");
            } catch {}
            _sync(id);
            return false;
        }
        address t = p.payment.token;
        uint256 total = _sum(p.payment.amounts);
        bool accepts = _accepts(t, p.consumer);
        uint256 before = _held(t, p.consumer);
        vm.prank(caller);
        engine.refundPayment(id, p);
        if (total > 0) {
            if (accepts) {
                if (_held(t, p.consumer) - before != total) _unpaid("consumer not refunded");
            } else {
                owedModel[p.consumer][t] += total;
                owedTotal[t] += total;
            }
        }
        a.state[e] = 2;
        openLocked[t] -= total;
        _sync(id);
        _untrack(id);
        return true;
    }

    function _withdraw(address acct, address t, bool itself) internal returns (bool) {
        uint256 amount = owedModel[acct][t];
        bool expected = amount > 0 && _accepts(t, acct);
        uint256 before = _held(t, acct);
        vm.prank(itself ? acct : STRANGER);
        if (expected) {
            if (itself) engine.withdraw{gas: WITHDRAW_GAS}(t);
            else engine.withdrawFor{gas: WITHDRAW_GAS}(acct, t);
            if (_held(t, acct) - before != amount) _unpaid("withdrawal not paid");
            owedModel[acct][t] = 0;
            owedTotal[t] -= amount;
            return true;
        }
        if (itself) {
            try engine.withdraw{gas: WITHDRAW_GAS}(t) {
                _violation("withdraw passed");
            } catch {}
        } else {
            try engine.withdrawFor{gas: WITHDRAW_GAS}(acct, t) {
                _violation("withdrawFor passed");
            } catch {}
        }
        return false;
    }

    /// Whether a push of `t` to `to` is accepted (within PUSH_GAS, or all the gas of a withdrawal).
    function _accepts(address t, address to) internal view returns (bool) {
        if (t == address(falseToken)) return !falseToken.blocked(to);
        if (t != address(0)) return true;
        if (to == address(bomb)) return !bomb.armed();
        if (to == address(burner)) return !burner.armed();
        if (to == address(splitter)) return !splitter.paused();
        if (to == address(refuser)) return !refuser.armed();
        return true;
    }

    /// Whether taking the price from `payer` passes (the time checks apart).
    function _lockWouldPass(IAgreementEngine.AgreementParams memory p, address payer) internal view returns (bool) {
        address t = p.payment.token;
        uint256 total = _sum(p.payment.amounts);
        if (t == address(falseToken)) return !falseToken.blocked(payer);
        if (t == address(feeToken)) return total / 100 == 0; // the engine refuses to be shorted
        return true;
    }

    function _inTime(IAgreementEngine.AgreementParams memory p, uint256 i) internal view returns (bool) {
        return block.timestamp >= p.timeLocks[i] && (p.timeOuts[i] == 0 || block.timestamp <= p.timeOuts[i]);
    }

    /// The dependencies of condition `i`: [lock] for the gate of kinds 0/1, [lock, check] for the
    /// access of kinds 2/3, [lock, gate] for the escrow.
    function _depsFulfilled(Agreement storage a, uint256 i) internal view returns (bool) {
        if (a.state[0] != 1) return false;
        if (i == a.escrow) return a.state[a.gate] == 1;
        return a.kind < 2 || a.state[1] == 1;
    }

    /// Whether condition `i` (the lock, the check of kinds 2/3, or the gate) is Unfulfilled and
    /// past its time out.
    function _timedOut(Agreement storage a, uint256 i) internal view returns (bool) {
        if (a.state[i] != 0) return false;
        uint64 out = i == 0 ? a.lockOut : i == a.gate ? a.gateOut : a.checkOut;
        return out != 0 && block.timestamp > out;
    }

    /// A live agreement that a party would act on with `h` now, the `pick`-th of them (or, one
    /// time in eight, any live agreement). The parties act as the node and the client do: the
    /// consumer locks before the lock times out, the provider serves within the gate's time
    /// lock and time out, a release waits for the escrow's time lock, a refund or an abort for
    /// a time out; the engine's own checks are what the model predicts, not what is picked.
    function _pick(uint256 pick, H h) internal view returns (bool, bytes32) {
        uint256 n = live.length;
        if (n == 0) return (false, bytes32(0));
        if (pick % 8 == 0) return (true, live[(pick >> 3) % n]);
        bytes32[] memory c = new bytes32[](n);
        uint256 k;
        for (uint256 i = 0; i < n; ++i) {
            Agreement storage a = agreements[live[i]];
            uint8[4] storage s = a.state;
            bool fits;
            uint256 now_ = block.timestamp;
            if (h == H.Lock) {
                fits = s[0] == 0 && (a.lockOut == 0 || now_ <= a.lockOut);
            } else if (h == H.Access) {
                fits = a.served && s[0] == 1 && s[a.gate] == 0 && (a.kind < 2 || s[1] == 1) && now_ >= a.gateLock
                    && now_ <= a.gateOut;
            } else if (h == H.Check) {
                fits = a.kind >= 2 && s[1] == 0 && (a.checkOut == 0 || now_ <= a.checkOut);
            } else if (h == H.Release) {
                fits = s[0] == 1 && s[a.gate] == 1 && s[a.escrow] == 0 && now_ >= a.escrowLock;
            } else if (h == H.Refund) {
                // the consumer asks once its access is over
                fits = s[0] == 1 && s[a.escrow] == 0
                    && (s[a.gate] == 2 || (s[a.gate] == 0 && block.timestamp > a.gateOut));
            } else if (h == H.Abort) {
                fits = _timedOut(a, 0) || (a.kind >= 2 && _timedOut(a, 1)) || _timedOut(a, a.gate);
            }
            if (fits) c[k++] = live[i];
        }
        if (k == 0) return (false, bytes32(0));
        return (true, c[(pick >> 3) % k]);
    }

    function _params(uint8 kind, uint256 seed, uint256 price, uint256 times, address consumer)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        uint256 n = kind < 2 ? 3 : 4;
        uint256 gate = kind < 2 ? 1 : 2;
        p.templateId = templates[kind];
        p.did = did;
        p.consumer = consumer;
        p.purpose = bytes32(seed);
        p.timeLocks = new uint64[](n);
        p.timeOuts = new uint64[](n);
        uint256 t = block.timestamp;
        // The gate times out after an hour to a day; the rest is drawn inside that.
        uint256 gateOut = t + bound(times, 1 hours, 1 days);
        p.timeOuts[gate] = uint64(gateOut);
        if ((times >> 32) % 4 == 0) p.timeLocks[gate] = uint64(t + bound(times >> 40, 1, (gateOut - t) / 2));
        if ((times >> 64) % 2 == 0) p.timeOuts[0] = uint64(t + bound(times >> 72, 1 hours, 2 days));
        if (kind >= 2 && (times >> 96) % 2 == 0) p.timeOuts[1] = uint64(t + bound(times >> 104, 1 hours, 1 days));
        if ((times >> 128) % 4 == 0) p.timeLocks[n - 1] = uint64(t + bound(times >> 136, 1, gateOut - t));

        uint256 tk = (seed >> 24) % 16;
        p.payment.token = tokens[tk < 6 ? 0 : tk < 10 ? 1 : tk < 14 ? 2 : 3];
        uint256 k = 1 + (seed >> 32) % 3;
        p.payment.receivers = new address[](k);
        p.payment.amounts = new uint256[](k);
        price = bound(price, 0, 30 ether);
        for (uint256 i = 0; i < k; ++i) {
            p.payment.receivers[i] = receivers[((seed >> 40) + i) % 6];
            p.payment.amounts[i] = i + 1 == k ? price : price / 4;
            price -= p.payment.amounts[i];
        }
        if (kind == 3) {
            p.nft.nft = address(nft);
            p.nft.standard = IAgreementEngine.NftStandard.ERC721;
            p.nft.tokenId = nftIds[(seed >> 48) % 2];
            p.nft.amount = 1;
        }
    }

    // ------------------------------------------------------------ bookkeeping

    /// The fuzzer favours edge values (0, 1, max), which would make every "one in eight" choice
    /// drawn from them always or never happen: choices are drawn from a hash of the input.
    function _mix(uint256 x) internal pure returns (uint256) {
        return uint256(keccak256(abi.encode(x)));
    }

    function _enter(H h) internal {
        calls[uint256(h)]++;
        trace = keccak256(abi.encode(trace, msg.data));
    }

    function _violation(string memory what) internal {
        if (violations++ == 0) firstViolation = what;
    }

    function _unpaid(string memory what) internal {
        if (unpaid++ == 0) firstViolation = what;
    }

    /// Compares the engine's condition states with the model's.
    function _sync(bytes32 id) internal {
        Agreement storage a = agreements[id];
        for (uint256 c = 0; c <= a.escrow; ++c) {
            if (uint8(engine.getConditionState(id, c)) != a.state[c]) _violation("condition state differs");
        }
    }

    function _syncAll() internal {
        for (uint256 i = 0; i < live.length; ++i) {
            _sync(live[i]);
        }
    }

    function _track(bytes32 id) internal {
        live.push(id);
        livePos[id] = live.length;
    }

    function _untrack(bytes32 id) internal {
        uint256 pos = livePos[id];
        if (pos == 0) return;
        bytes32 last = live[live.length - 1];
        live[pos - 1] = last;
        livePos[last] = pos;
        live.pop();
        delete livePos[id];
    }

    /// Stops following the oldest agreement that holds no money, to make room.
    function _evictUnlocked() internal returns (bool) {
        for (uint256 i = 0; i < live.length; ++i) {
            if (agreements[live[i]].state[0] != 1) {
                _untrack(live[i]);
                return true;
            }
        }
        return false;
    }

    function _fund(address who, address t, uint256 amount) internal {
        if (t == address(0)) {
            vm.deal(who, who.balance + amount);
            return;
        }
        MockERC20(t).mint(who, amount); // the three tokens share mint(address,uint256)
        vm.prank(who);
        IERC20(t).approve(address(engine), type(uint256).max);
    }

    /// What `who` holds of `t`; a splitter's payments are held by its payees.
    function _held(address t, address who) internal view returns (uint256 v) {
        v = _balance(t, who);
        if (who == address(splitter)) v += _balance(t, PAYEE_A) + _balance(t, PAYEE_B);
    }

    function _balance(address t, address who) internal view returns (uint256) {
        return t == address(0) ? who.balance : IERC20(t).balanceOf(who);
    }

    function _account(uint256 k) internal view returns (address) {
        k %= 10;
        return k < 6 ? receivers[k] : consumers[k - 6];
    }

    function _sum(uint256[] memory amounts) internal pure returns (uint256 total) {
        for (uint256 i = 0; i < amounts.length; ++i) {
            total += amounts[i];
        }
    }

    function _paramsOf(bytes32 id) internal view returns (IAgreementEngine.AgreementParams memory) {
        return abi.decode(paramsOf[id], (IAgreementEngine.AgreementParams));
    }

    // ------------------------------------------------------------ reads for the invariants

    function liveLength() external view returns (uint256) {
        return live.length;
    }

    function params(bytes32 id) external view returns (IAgreementEngine.AgreementParams memory) {
        return _paramsOf(id);
    }

    function kindOf(bytes32 id) external view returns (uint8 kind, uint8 gate, uint8 escrow, uint8 gateState) {
        Agreement storage a = agreements[id];
        return (a.kind, a.gate, a.escrow, a.state[a.gate]);
    }

    function account(uint256 k) external view returns (address) {
        return _account(k);
    }

    function counts(uint256 h) external view returns (uint256, uint256, uint256) {
        return (calls[h], tries[h], oks[h]);
    }
}
