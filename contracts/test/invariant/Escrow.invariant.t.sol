// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "../utils/Fixture.sol";
import {Console} from "../utils/Console.sol";
import {AssetNFT721} from "../../src/AssetNFT721.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EscrowHandler} from "./EscrowHandler.sol";

/// @notice The escrow's safety properties, checked after every call of a random sequence of the
/// handler's actions (see EscrowHandler), and its way out checked after each sequence.
/// @dev One invariant function on purpose: forge runs a whole campaign per invariant function,
/// so the checks share one. The handler's per-action counts are summed over the runs (through
/// environment variables, the one thing that outlives a run's state) and logged (-vv).
contract EscrowInvariantTest is Fixture {
    EscrowHandler internal handler;
    string[10] internal names =
        ["create", "lock", "access", "check", "release", "abort", "refund", "withdraw", "toggle", "warp"];

    function setUp() public override {
        super.setUp();
        bytes32[4] memory templates = [paidAccess, paidCompute, _registerGated(IAgreementEngine.ConditionType.AllowList), _registerGated(IAgreementEngine.ConditionType.NftHolder)];
        AssetNFT721 nft = new AssetNFT721(registry, "Pactum Assets", "PACT", "");
        handler = new EscrowHandler(engine, templates, did, provider, publisher, nft);
        targetContract(address(handler));
        bytes4[] memory selectors = new bytes4[](10);
        selectors[0] = EscrowHandler.create.selector;
        selectors[1] = EscrowHandler.lock.selector;
        selectors[2] = EscrowHandler.access.selector;
        selectors[3] = EscrowHandler.check.selector;
        selectors[4] = EscrowHandler.release.selector;
        selectors[5] = EscrowHandler.abort.selector;
        selectors[6] = EscrowHandler.refund.selector;
        selectors[7] = EscrowHandler.withdraw.selector;
        selectors[8] = EscrowHandler.toggle.selector;
        selectors[9] = EscrowHandler.warp.selector;
        targetSelector(FuzzSelector(address(handler), selectors));
    }

    /// lock -> check -> access(lock, check) -> escrow(lock, access): paid access behind an
    /// allow-list or an NFT.
    function _registerGated(IAgreementEngine.ConditionType check) internal returns (bytes32) {
        IAgreementEngine.ConditionType[] memory types = new IAgreementEngine.ConditionType[](4);
        types[0] = IAgreementEngine.ConditionType.LockPayment;
        types[1] = check;
        types[2] = IAgreementEngine.ConditionType.Access;
        types[3] = IAgreementEngine.ConditionType.EscrowPayment;
        uint8[] memory deps = new uint8[](4);
        deps[2] = 0x03;
        deps[3] = 0x05;
        return engine.registerTemplate(types, deps);
    }

    /// - Every call did what the model of the engine's rules predicted: what it says is refused
    ///   was refused, what it says passes passed (else the handler call reverted), and the
    ///   engine's condition states are the model's.
    /// - Every receiver (or refunded consumer) that accepts got its whole amount at once; the
    ///   others are owed it, exactly (`owed`), whatever the other receivers did.
    /// - The vault holds, per token, exactly the open locks plus what is owed.
    /// - hasAccess holds exactly for fulfilled access whose allow-list entry or NFT still holds.
    function invariant_escrowFollowsTheModel() public view {
        assertEq(handler.violations(), 0, handler.firstViolation());
        assertEq(handler.unpaid(), 0, handler.firstViolation());
        for (uint256 t = 0; t < 4; ++t) {
            address tk = handler.tokens(t);
            uint256 held = tk == address(0) ? address(engine).balance : IERC20(tk).balanceOf(address(engine));
            assertEq(held, handler.openLocked(tk) + handler.owedTotal(tk), "vault = open locks + owed");
            for (uint256 k = 0; k < 10; ++k) {
                address acct = handler.account(k);
                assertEq(engine.owed(acct, tk), handler.owedModel(acct, tk), "owed");
            }
        }
        uint256 n = handler.liveLength();
        for (uint256 i = 0; i < n; ++i) {
            bytes32 id = handler.live(i);
            (uint8 kind, uint8 gate, , uint8 gateState) = handler.kindOf(id);
            IAgreementEngine.AgreementParams memory p = handler.params(id);
            bool expected = kind != 1 && gateState == 1;
            if (kind == 2) expected = expected && engine.isAllowListed(did, p.consumer);
            if (kind == 3) expected = expected && AssetNFT721(p.nft.nft).ownerOf(p.nft.tokenId) == p.consumer;
            assertEq(engine.hasAccess(id, p), expected, "hasAccess");
            gate;
        }
    }

    /// After each sequence: every open lock has a way out once its time outs have passed, and
    /// every deferred payment reaches its account once that accepts it; the vault is then empty.
    function afterInvariant() public {
        handler.wayOut();
        for (uint256 t = 0; t < 4; ++t) {
            address tk = handler.tokens(t);
            uint256 held = tk == address(0) ? address(engine).balance : IERC20(tk).balanceOf(address(engine));
            assertEq(held, 0, "the vault is empty after the way out");
        }
        _summarize();
    }

    /// Adds this run's counts to the totals and logs them (the last run's log is what -vv shows).
    /// forge calls afterInvariant once more on a replay of the last run: a run whose trace equals
    /// the previous one's is not counted again.
    function _summarize() internal {
        bytes32 trace = handler.trace();
        bool counted = vm.envOr("PACTUM_INV_LAST", bytes32(0)) == trace;
        vm.setEnv("PACTUM_INV_LAST", vm.toString(trace));
        uint256 runs = _add("PACTUM_INV_RUNS", counted ? 0 : 1);
        uint256 total;
        string[10] memory lines;
        for (uint256 h = 0; h < 10; ++h) {
            (uint256 c, uint256 t, uint256 s) = handler.counts(h);
            string memory key = string.concat("PACTUM_INV_", names[h]);
            c = _add(string.concat(key, "_CALLS"), counted ? 0 : c);
            t = _add(string.concat(key, "_TRIES"), counted ? 0 : t);
            s = _add(string.concat(key, "_OKS"), counted ? 0 : s);
            total += c;
            lines[h] = string.concat(
                names[h], ": calls ", vm.toString(c), ", reached the engine ", vm.toString(t), ", succeeded ",
                vm.toString(s), " (", vm.toString(c == 0 ? 0 : s * 100 / c), " % of calls)"
            );
        }
        uint256 rel = _add("PACTUM_INV_WAYOUT_RELEASES", counted ? 0 : handler.wayOutReleases());
        uint256 ref = _add("PACTUM_INV_WAYOUT_REFUNDS", counted ? 0 : handler.wayOutRefunds());
        uint256 wd = _add("PACTUM_INV_WAYOUT_WITHDRAWALS", counted ? 0 : handler.wayOutWithdrawals());
        Console.log(string.concat("escrow invariant: ", vm.toString(runs), " runs, ", vm.toString(total), " handler calls"));
        for (uint256 h = 0; h < 10; ++h) {
            Console.log(lines[h]);
        }
        Console.log(
            string.concat(
                "way out after the time outs: ", vm.toString(rel), " releases, ", vm.toString(ref), " refunds, ",
                vm.toString(wd), " deferred payments pushed"
            )
        );
    }

    function _add(string memory key, uint256 amount) internal returns (uint256 sum) {
        sum = vm.envOr(key, uint256(0)) + amount;
        vm.setEnv(key, vm.toString(sum));
    }
}
