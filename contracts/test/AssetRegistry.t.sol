// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {IAssetRegistry} from "../src/interfaces/IAssetRegistry.sol";
import {IProvenance} from "../src/interfaces/IProvenance.sol";

/// @notice An ERC-1271 wallet that accepts whatever digest its owner approved.
contract ApprovingWallet {
    mapping(bytes32 => bool) public approved;

    function approve(bytes32 digest) external {
        approved[digest] = true;
    }

    function isValidSignature(bytes32 digest, bytes memory) external view returns (bytes4) {
        return approved[digest] ? bytes4(0x1626ba7e) : bytes4(0xffffffff);
    }
}

contract AssetRegistryTest is Test {
    AssetRegistry internal registry;
    address internal owner = address(0xA11CE);
    address internal node = address(0xB0B);
    uint256 internal agentKey = 0xA6E17;
    address internal agent;
    bytes32 internal did;

    event AssetRegistered(bytes32 indexed did, address indexed owner, bytes32 checksum, string url);
    event AssetOwnershipTransferred(bytes32 indexed did, address indexed previousOwner, address indexed newOwner);
    event ProviderAdded(bytes32 indexed did, address indexed provider);
    event ProviderRemoved(bytes32 indexed did, address indexed provider);
    event ChecksumUpdated(bytes32 indexed did, bytes32 previousChecksum, bytes32 newChecksum);
    event UrlUpdated(bytes32 indexed did, string previousUrl, string newUrl);
    event LogAnchored(address indexed provider, bytes32 indexed logId, uint64 treeSize, bytes32 rootHash);
    event WasGeneratedBy(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );
    event Used(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );
    event WasDerivedFrom(
        bytes32 indexed provId,
        bytes32 indexed newDid,
        bytes32 indexed usedDid,
        address agent,
        bytes32 activityId,
        bytes32 attributes
    );
    event WasAssociatedWith(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );
    event ActedOnBehalf(
        bytes32 indexed provId,
        bytes32 indexed did,
        address indexed delegate,
        address responsible,
        bytes32 activityId,
        bytes32 attributes
    );

    function setUp() public {
        registry = new AssetRegistry();
        agent = vm.addr(agentKey);
        vm.warp(1_800_000_000);
        did = _register(owner, "seed");
    }

    function _register(address who, bytes32 seed) internal returns (bytes32) {
        address[] memory providers = new address[](1);
        providers[0] = node;
        vm.prank(who);
        return registry.register(seed, keccak256("root"), "https://node/ddo", providers);
    }

    function _record(IProvenance.ProvenanceMethod method, bytes32 provId)
        internal
        view
        returns (IAssetRegistry.ProvenanceRecord memory r)
    {
        r.method = method;
        r.key = provId;
        r.did = did;
        r.agent = agent;
        r.activityId = keccak256("job-1");
        r.attributes = keccak256("prov-json");
        if (method == IProvenance.ProvenanceMethod.WasDerivedFrom) r.relatedDid = keccak256("input");
        if (method == IProvenance.ProvenanceMethod.ActedOnBehalf) r.relatedAgent = owner;
    }

    function _sign(uint256 key, IAssetRegistry.ProvenanceRecord memory r, uint256 deadline)
        internal
        view
        returns (bytes memory)
    {
        (uint8 v, bytes32 rr, bytes32 s) = vm.sign(key, registry.provenanceDigest(r, deadline));
        return abi.encodePacked(rr, s, v);
    }

    // ------------------------------------------------------------ register

    function test_register_storesAssetAndEmits() public {
        bytes32 expected = registry.computeDid("seed-2", owner);
        assertEq(expected, keccak256(abi.encode(bytes32("seed-2"), owner)));
        address[] memory providers = new address[](2);
        providers[0] = node;
        providers[1] = address(0xB0B2);
        vm.expectEmit(address(registry));
        emit AssetRegistered(expected, owner, keccak256("root"), "ipfs://ddo");
        vm.expectEmit(address(registry));
        emit ProviderAdded(expected, node);
        vm.expectEmit(address(registry));
        emit ProviderAdded(expected, address(0xB0B2));
        vm.expectEmit(address(registry));
        emit WasGeneratedBy(expected, expected, owner, registry.ACTIVITY_REGISTER(), keccak256("root"));
        vm.prank(owner);
        bytes32 got = registry.register("seed-2", keccak256("root"), "ipfs://ddo", providers);
        assertEq(got, expected);
        (address o, bytes32 c, string memory u) = registry.getAsset(got);
        assertEq(o, owner);
        assertEq(c, keccak256("root"));
        assertEq(u, "ipfs://ddo");
        assertTrue(registry.isProvider(got, node));
        assertTrue(registry.isProvider(got, address(0xB0B2)));
        assertEq(registry.assetOwner(got), owner);
        assertTrue(registry.provenanceRecorded(got));
    }

    function test_register_sameSeedOtherSenderGetsOtherDid() public {
        bytes32 other = _register(address(0xBAD), "seed"); // a front-runner copying the seed
        assertTrue(other != did);
        assertEq(registry.assetOwner(did), owner);
    }

    function test_register_revertsWhenRegistered() public {
        address[] memory providers = new address[](0);
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.AssetAlreadyRegistered.selector, did));
        vm.prank(owner);
        registry.register("seed", bytes32(0), "", providers);
    }

    function test_register_revertsOnZeroProvider() public {
        address[] memory providers = new address[](1);
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidProvider.selector, address(0)));
        vm.prank(owner);
        registry.register("x", bytes32(0), "", providers);
    }

    function test_register_revertsOnDuplicateProvider() public {
        address[] memory providers = new address[](2);
        providers[0] = node;
        providers[1] = node;
        bytes32 expected = registry.computeDid("x", owner);
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.ProviderAlreadyAdded.selector, expected, node));
        vm.prank(owner);
        registry.register("x", bytes32(0), "", providers);
    }

    function test_getAsset_revertsWhenUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.AssetNotRegistered.selector, bytes32(0)));
        registry.getAsset(bytes32(0));
    }

    // ------------------------------------------------------------ owner operations

    function test_transferAssetOwnership_movesOwner() public {
        vm.expectEmit(address(registry));
        emit AssetOwnershipTransferred(did, owner, address(0xD00D));
        vm.prank(owner);
        registry.transferAssetOwnership(did, address(0xD00D));
        assertEq(registry.assetOwner(did), address(0xD00D));
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, owner, address(0xD00D)));
        vm.prank(owner);
        registry.updateChecksum(did, bytes32(0));
    }

    function test_transferAssetOwnership_revertsOnZero() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidOwner.selector, address(0)));
        vm.prank(owner);
        registry.transferAssetOwnership(did, address(0));
    }

    function test_transferAssetOwnership_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, node, owner));
        vm.prank(node);
        registry.transferAssetOwnership(did, node);
    }

    function test_transferAssetOwnership_revertsWhenUnknown() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.AssetNotRegistered.selector, bytes32(uint256(7))));
        vm.prank(owner);
        registry.transferAssetOwnership(bytes32(uint256(7)), node);
    }

    function test_addProvider_adds() public {
        vm.expectEmit(address(registry));
        emit ProviderAdded(did, address(0xB0B2));
        vm.prank(owner);
        registry.addProvider(did, address(0xB0B2));
        assertTrue(registry.isProvider(did, address(0xB0B2)));
    }

    function test_addProvider_revertsWhenPresent() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.ProviderAlreadyAdded.selector, did, node));
        vm.prank(owner);
        registry.addProvider(did, node);
    }

    function test_addProvider_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, node, owner));
        vm.prank(node);
        registry.addProvider(did, address(0xB0B2));
    }

    function test_removeProvider_removes() public {
        vm.expectEmit(address(registry));
        emit ProviderRemoved(did, node);
        vm.prank(owner);
        registry.removeProvider(did, node);
        assertFalse(registry.isProvider(did, node));
    }

    function test_removeProvider_revertsWhenAbsent() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.ProviderNotFound.selector, did, address(0xB0B2)));
        vm.prank(owner);
        registry.removeProvider(did, address(0xB0B2));
    }

    function test_removeProvider_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, node, owner));
        vm.prank(node);
        registry.removeProvider(did, node);
    }

    function test_updateChecksum_keepsHistoryInEvent() public {
        vm.expectEmit(address(registry));
        emit ChecksumUpdated(did, keccak256("root"), keccak256("root-2"));
        vm.prank(owner);
        registry.updateChecksum(did, keccak256("root-2"));
        (, bytes32 c,) = registry.getAsset(did);
        assertEq(c, keccak256("root-2"));
    }

    function test_updateChecksum_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, node, owner));
        vm.prank(node);
        registry.updateChecksum(did, bytes32(0));
    }

    function test_updateUrl_keepsHistoryInEvent() public {
        vm.expectEmit(address(registry));
        emit UrlUpdated(did, "https://node/ddo", "https://node2/ddo");
        vm.prank(owner);
        registry.updateUrl(did, "https://node2/ddo");
        (,, string memory u) = registry.getAsset(did);
        assertEq(u, "https://node2/ddo");
    }

    function test_updateUrl_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotAssetOwner.selector, did, node, owner));
        vm.prank(node);
        registry.updateUrl(did, "");
    }

    // ------------------------------------------------------------ provenance

    function test_recordProvenance_eachRelation() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.WasGeneratedBy, "p1");
        vm.expectEmit(address(registry));
        emit WasGeneratedBy(registry.computeProvenanceId(agent, "p1"), did, agent, r.activityId, r.attributes);
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.Used, "p2");
        vm.expectEmit(address(registry));
        emit Used(registry.computeProvenanceId(agent, "p2"), did, agent, r.activityId, r.attributes);
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.WasDerivedFrom, "p3");
        vm.expectEmit(address(registry));
        emit WasDerivedFrom(
            registry.computeProvenanceId(agent, "p3"), did, keccak256("input"), agent, r.activityId, r.attributes
        );
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.WasAssociatedWith, "p4");
        vm.expectEmit(address(registry));
        emit WasAssociatedWith(registry.computeProvenanceId(agent, "p4"), did, agent, r.activityId, r.attributes);
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.ActedOnBehalf, "p5");
        vm.expectEmit(address(registry));
        emit ActedOnBehalf(registry.computeProvenanceId(agent, "p5"), did, agent, owner, r.activityId, r.attributes);
        vm.prank(agent);
        registry.recordProvenance(r);
        assertTrue(registry.provenanceRecorded(registry.computeProvenanceId(agent, "p5")));
        assertFalse(registry.provenanceRecorded("p5"));
    }

    function test_recordProvenance_revertsForOtherAgent() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotProvenanceAgent.selector, node, agent));
        vm.prank(node);
        registry.recordProvenance(r);
    }

    function test_recordProvenance_revertsOnReusedId() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        vm.prank(agent);
        registry.recordProvenance(r);
        vm.expectRevert(
            abi.encodeWithSelector(IAssetRegistry.ProvenanceIdUsed.selector, registry.computeProvenanceId(agent, "p1"))
        );
        vm.prank(agent);
        registry.recordProvenance(r);
    }

    /// A DID as a key is just the agent's name for its record: the record's id is not the DID.
    function test_recordProvenance_didAsKeyGetsItsOwnId() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, did);
        bytes32 id = registry.computeProvenanceId(agent, did);
        assertTrue(id != did);
        assertEq(id, keccak256(abi.encode(registry.PROVENANCE_ID_TAG(), agent, did)));
        vm.expectEmit(address(registry));
        emit Used(id, did, agent, r.activityId, r.attributes);
        vm.prank(agent);
        registry.recordProvenance(r);
        assertTrue(registry.provenanceRecorded(id));
    }

    /// Two agents may use the same key: their records have different ids.
    function test_recordProvenance_sameKeyTwoAgents() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        vm.prank(agent);
        registry.recordProvenance(r);
        r.agent = node;
        vm.prank(node);
        registry.recordProvenance(r);
        assertTrue(registry.provenanceRecorded(registry.computeProvenanceId(agent, "p1")));
        assertTrue(registry.provenanceRecorded(registry.computeProvenanceId(node, "p1")));
    }

    function test_recordProvenance_revertsOnUnknownDid() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        r.did = keccak256("unknown");
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.AssetNotRegistered.selector, r.did));
        vm.prank(agent);
        registry.recordProvenance(r);
    }

    function test_recordProvenance_revertsOnMalformed() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, bytes32(0));
        vm.expectRevert(
            abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceRecord.selector, IProvenance.ProvenanceMethod.Used)
        );
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.WasDerivedFrom, "p1");
        r.relatedDid = bytes32(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAssetRegistry.InvalidProvenanceRecord.selector, IProvenance.ProvenanceMethod.WasDerivedFrom
            )
        );
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.ActedOnBehalf, "p1");
        r.relatedAgent = address(0);
        vm.expectRevert(
            abi.encodeWithSelector(
                IAssetRegistry.InvalidProvenanceRecord.selector, IProvenance.ProvenanceMethod.ActedOnBehalf
            )
        );
        vm.prank(agent);
        registry.recordProvenance(r);

        r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        r.relatedAgent = owner; // a field the relation does not have
        vm.expectRevert(
            abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceRecord.selector, IProvenance.ProvenanceMethod.Used)
        );
        vm.prank(agent);
        registry.recordProvenance(r);
    }

    function test_recordProvenanceFor_relaysSignedRecord() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(agentKey, r, deadline);
        vm.expectEmit(address(registry));
        emit Used(registry.computeProvenanceId(agent, "p1"), did, agent, r.activityId, r.attributes);
        vm.prank(node); // the node relays and pays the gas
        registry.recordProvenanceFor(r, deadline, sig);
        assertEq(registry.nonces(agent), 1);
    }

    function test_recordProvenanceFor_revertsOnReplay() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(agentKey, r, deadline);
        registry.recordProvenanceFor(r, deadline, sig);
        r.key = "p2"; // even with a fresh id, the old signature no longer matches (nonce moved)
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceSignature.selector, agent));
        registry.recordProvenanceFor(r, deadline, sig);
    }

    function test_recordProvenanceFor_revertsOnForgedSignature() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(0xBADBAD, r, deadline);
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceSignature.selector, agent));
        registry.recordProvenanceFor(r, deadline, sig);
    }

    function test_recordProvenanceFor_revertsOnTamperedRecord() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp + 1 hours;
        bytes memory sig = _sign(agentKey, r, deadline);
        r.activityId = keccak256("another job");
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceSignature.selector, agent));
        registry.recordProvenanceFor(r, deadline, sig);
    }

    function test_recordProvenanceFor_revertsWhenExpired() public {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp - 1;
        bytes memory sig = _sign(agentKey, r, deadline);
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.ProvenanceSignatureExpired.selector, deadline));
        registry.recordProvenanceFor(r, deadline, sig);
    }

    function test_recordProvenanceFor_acceptsErc1271Agent() public {
        ApprovingWallet wallet = new ApprovingWallet();
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        r.agent = address(wallet);
        uint256 deadline = block.timestamp + 1;
        wallet.approve(registry.provenanceDigest(r, deadline));
        registry.recordProvenanceFor(r, deadline, "");
        assertTrue(registry.provenanceRecorded(registry.computeProvenanceId(address(wallet), "p1")));
    }

    function test_provenanceDigest_isEip712() public view {
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        bytes32 structHash = keccak256(
            abi.encode(
                registry.PROVENANCE_TYPEHASH(),
                r.method,
                r.key,
                r.did,
                r.relatedDid,
                r.agent,
                r.relatedAgent,
                r.activityId,
                r.attributes,
                uint256(0),
                uint256(123)
            )
        );
        bytes32 expected = keccak256(abi.encodePacked(hex"1901", registry.domainSeparator(), structHash));
        assertEq(registry.provenanceDigest(r, 123), expected);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256("Pactum AssetRegistry"),
                keccak256("1"),
                block.chainid,
                address(registry)
            )
        );
        assertEq(registry.domainSeparator(), domain);
    }

    // ------------------------------------------------------------ log anchors

    function test_anchorLog_storesLatest() public {
        vm.expectEmit(address(registry));
        emit LogAnchored(node, "log", 10, keccak256("r10"));
        vm.prank(node);
        registry.anchorLog("log", 10, keccak256("r10"));
        vm.prank(node);
        registry.anchorLog("log", 10, keccak256("r10")); // re-anchoring the same head is harmless
        vm.warp(block.timestamp + 5);
        vm.prank(node);
        registry.anchorLog("log", 12, keccak256("r12"));
        IAssetRegistry.LogAnchor memory a = registry.latestAnchor(node, "log");
        assertEq(a.treeSize, 12);
        assertEq(a.rootHash, keccak256("r12"));
        assertEq(a.anchoredAt, block.timestamp);
        assertEq(registry.latestAnchor(owner, "log").treeSize, 0); // per provider
    }

    function test_anchorLog_revertsOnShrink() public {
        vm.prank(node);
        registry.anchorLog("log", 10, keccak256("r10"));
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.LogTreeSizeDecreased.selector, bytes32("log"), 10, 9));
        vm.prank(node);
        registry.anchorLog("log", 9, keccak256("r9"));
    }

    function test_anchorLog_revertsOnSplitView() public {
        vm.prank(node);
        registry.anchorLog("log", 10, keccak256("r10"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAssetRegistry.LogRootConflict.selector, bytes32("log"), 10, keccak256("r10"), keccak256("other")
            )
        );
        vm.prank(node);
        registry.anchorLog("log", 10, keccak256("other"));
    }

    // ------------------------------------------------------------ fuzz

    function test_fuzz_register(bytes32 seed, address registrant, bytes32 checksum) public {
        vm.assume(registrant != address(0));
        vm.assume(!(seed == bytes32("seed") && registrant == owner));
        address[] memory providers = new address[](0);
        vm.prank(registrant);
        bytes32 d = registry.register(seed, checksum, "u", providers);
        assertEq(d, keccak256(abi.encode(seed, registrant)));
        assertEq(registry.assetOwner(d), registrant);
    }

    function test_fuzz_anchorLog(uint64 first, uint64 second) public {
        vm.assume(first != 0);
        vm.prank(node);
        registry.anchorLog("log", first, keccak256("a"));
        if (second == 0) {
            vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.LogTreeSizeZero.selector, bytes32("log")));
        } else if (second < first) {
            vm.expectRevert(
                abi.encodeWithSelector(IAssetRegistry.LogTreeSizeDecreased.selector, bytes32("log"), first, second)
            );
        }
        vm.prank(node);
        registry.anchorLog("log", second, second == first ? keccak256("a") : keccak256("b"));
        assertEq(registry.latestAnchor(node, "log").treeSize, second < first ? first : second);
    }

    function test_fuzz_recordProvenanceFor(uint256 signerKey) public {
        signerKey = bound(signerKey, 1, 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140);
        IAssetRegistry.ProvenanceRecord memory r = _record(IProvenance.ProvenanceMethod.Used, "p1");
        uint256 deadline = block.timestamp;
        bytes memory sig = _sign(signerKey, r, deadline);
        if (signerKey != agentKey) {
            vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.InvalidProvenanceSignature.selector, agent));
        }
        registry.recordProvenanceFor(r, deadline, sig);
    }
}
