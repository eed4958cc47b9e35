// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {Vm} from "./utils/Vm.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {IAssetRegistry} from "../src/interfaces/IAssetRegistry.sol";
import {IProvenance} from "../src/interfaces/IProvenance.sol";

/// @notice Provenance ids (#17, Low): they were one global first-come namespace, so anyone
/// could take the id of a DID a pending `register` would create (its seed is in the calldata)
/// or of someone's relayed signed record. Each PoC failed on the old registry.
contract ProvenanceTest is Test {
    AssetRegistry internal registry;
    address internal publisher = address(0xA11CE);
    address internal squatter = address(0x5017);
    uint256 internal agentKey = 0xA6E17;
    address internal agent;
    bytes32 internal squatterDid;

    function setUp() public {
        vm.warp(1_800_000_000);
        registry = new AssetRegistry();
        agent = vm.addr(agentKey);
        vm.prank(squatter);
        squatterDid = registry.register("mine", keccak256("root"), "u", new address[](0));
    }

    function _record(address who, bytes32 key, bytes32 about)
        internal
        pure
        returns (IAssetRegistry.ProvenanceRecord memory r)
    {
        r.method = IProvenance.ProvenanceMethod.Used;
        r.key = key;
        r.did = about;
        r.agent = who;
        r.activityId = keccak256("job");
    }

    /// How many provenance events of the registry name `provId` (topic 1 of every PROV event).
    function _recordsNamed(Vm.Log[] memory logs, bytes32 provId) internal view returns (uint256 count) {
        bytes32 generated = keccak256("WasGeneratedBy(bytes32,bytes32,address,bytes32,bytes32)");
        bytes32 used = keccak256("Used(bytes32,bytes32,address,bytes32,bytes32)");
        for (uint256 i = 0; i < logs.length; ++i) {
            if (logs[i].emitter != address(registry) || logs[i].topics.length < 2) continue;
            bytes32 t = logs[i].topics[0];
            if ((t == generated || t == used) && logs[i].topics[1] == provId) ++count;
        }
    }

    /// PoC: a squatter who saw `register(seed, ...)` pending recorded a statement under the DID it
    /// would create; `provenanceRecorded(did)` then vouched for the squatter's record, and the
    /// registration's own generation record shared its id. Now a record's id is derived from its
    /// agent and key in a domain no DID can fall in.
    function test_recordProvenance_cannotSquatAPendingDid() public {
        bytes32 pending = registry.computeDid("seed", publisher);
        vm.recordLogs();
        vm.prank(squatter);
        registry.recordProvenance(_record(squatter, pending, squatterDid));
        assertFalse(registry.provenanceRecorded(pending), "the squatter's record took the DID's id");

        vm.prank(publisher);
        bytes32 did = registry.register("seed", keccak256("root"), "u", new address[](0));
        assertEq(did, pending);
        assertTrue(registry.provenanceRecorded(did));
        assertEq(_recordsNamed(vm.getRecordedLogs(), did), 1, "one record per id");
    }

    /// PoC: a squatter front-ran a relayed signed record with a statement of its own under the
    /// same id; the relay then reverted ProvenanceIdUsed forever. Now ids are per agent.
    function test_recordProvenanceFor_cannotBeSquatted() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(agent, "report-7", squatterDid);
        uint256 deadline = block.timestamp + 1 hours;
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(agentKey, registry.provenanceDigest(r, deadline));

        vm.prank(squatter); // saw the relay in the mempool
        registry.recordProvenance(_record(squatter, "report-7", squatterDid));

        (bool ok,) = address(registry)
            .call(abi.encodeCall(IAssetRegistry.recordProvenanceFor, (r, deadline, abi.encodePacked(rr, s, v))));
        assertTrue(ok, "the relayed record was refused");
        assertEq(registry.nonces(agent), 1);
    }
}
