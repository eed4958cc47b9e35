// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProvenance} from "./IProvenance.sol";

/// @title IAssetRegistry
/// @notice Who owns which asset, what its content checksum is, where its metadata (DDO) lives,
/// which provider nodes may serve it; the asset's provenance; and providers' usage-log anchors.
/// @dev An asset's DID is `keccak256(abi.encode(seed, registrant))`: a front-runner registering
/// the same seed gets a different DID, and nothing is hashed with `abi.encodePacked`.
interface IAssetRegistry is IProvenance {
    /// @notice A provenance statement, as submitted by its agent or relayed with the agent's
    /// EIP-712 signature. Fields unused by a relation must be zero.
    /// @param method the PROV relation.
    /// @param key the agent's own name for the record, non-zero; the record's id (the `provId` of
    /// its event) is `computeProvenanceId(agent, key)`, so each agent has its own namespace and
    /// no one can take another's id or a DID. Each (agent, key) can be recorded once.
    /// @param did the entity concerned (for WasDerivedFrom: the new entity).
    /// @param relatedDid WasDerivedFrom: the entity derived from; otherwise zero.
    /// @param agent the agent making the statement (the signer when relayed).
    /// @param relatedAgent ActedOnBehalf: the responsible agent; otherwise zero. The record is the
    /// delegate's (the agent's) claim only: the responsible agent did not sign it, and an indexer
    /// should treat it as vouched for only if the responsible agent states it too.
    /// @param activityId the activity.
    /// @param attributes a free reference, e.g. the hash of an off-chain PROV-JSON document.
    struct ProvenanceRecord {
        ProvenanceMethod method;
        bytes32 key;
        bytes32 did;
        bytes32 relatedDid;
        address agent;
        address relatedAgent;
        bytes32 activityId;
        bytes32 attributes;
    }

    /// @notice The latest anchored head of a provider's usage log.
    struct LogAnchor {
        uint64 treeSize;
        uint64 anchoredAt;
        bytes32 rootHash;
    }

    /// @notice `did` is already registered.
    error AssetAlreadyRegistered(bytes32 did);
    /// @notice `did` is not registered.
    error AssetNotRegistered(bytes32 did);
    /// @notice `caller` is not the owner `owner` of `did`.
    error NotAssetOwner(bytes32 did, address caller, address owner);
    /// @notice The zero address cannot own an asset.
    error InvalidOwner(address owner);
    /// @notice `provider` cannot be a provider (the zero address).
    error InvalidProvider(address provider);
    /// @notice `provider` is already a provider of `did`.
    error ProviderAlreadyAdded(bytes32 did, address provider);
    /// @notice `provider` is not a provider of `did`.
    error ProviderNotFound(bytes32 did, address provider);
    /// @notice The record with id `provId` (its agent and key) was recorded before.
    error ProvenanceIdUsed(bytes32 provId);
    /// @notice The record is malformed for its relation (e.g. a zero key or agent, a missing related id).
    error InvalidProvenanceRecord(ProvenanceMethod method);
    /// @notice `caller` submitted a record whose agent is `agent` without the agent's signature.
    error NotProvenanceAgent(address caller, address agent);
    /// @notice The relayed signature expired at `deadline`.
    error ProvenanceSignatureExpired(uint256 deadline);
    /// @notice The relayed signature is not `agent`'s (ECDSA, or ERC-1271 for a contract agent).
    error InvalidProvenanceSignature(address agent);
    /// @notice An anchor for `logId` may not shrink the log from `current` to `proposed`.
    error LogTreeSizeDecreased(bytes32 logId, uint64 current, uint64 proposed);
    /// @notice An anchor of the same size as the last one must carry the same root.
    error LogRootConflict(bytes32 logId, uint64 treeSize, bytes32 current, bytes32 proposed);
    /// @notice An anchor of `logId` must cover at least one entry (size 0 is "not anchored").
    error LogTreeSizeZero(bytes32 logId);

    /// @notice Asset `did` was registered by `owner`.
    event AssetRegistered(bytes32 indexed did, address indexed owner, bytes32 checksum, string url);
    /// @notice Ownership of `did` moved from `previousOwner` to `newOwner`.
    event AssetOwnershipTransferred(bytes32 indexed did, address indexed previousOwner, address indexed newOwner);
    /// @notice `provider` may now serve `did`.
    event ProviderAdded(bytes32 indexed did, address indexed provider);
    /// @notice `provider` may no longer serve `did`.
    event ProviderRemoved(bytes32 indexed did, address indexed provider);
    /// @notice The checksum of `did` changed (history: follow these events).
    event ChecksumUpdated(bytes32 indexed did, bytes32 previousChecksum, bytes32 newChecksum);
    /// @notice The metadata URL of `did` changed (history: follow these events).
    event UrlUpdated(bytes32 indexed did, string previousUrl, string newUrl);
    /// @notice `provider` anchored its usage log `logId` at (`treeSize`, `rootHash`).
    event LogAnchored(address indexed provider, bytes32 indexed logId, uint64 treeSize, bytes32 rootHash);

    /// @notice Registers an asset owned by the caller.
    /// @param seed any value chosen by the caller; the DID is `keccak256(abi.encode(seed, msg.sender))`.
    /// @param checksum the Merkle root of the content's plaintext chunks.
    /// @param url where the asset's metadata document (DDO) is served.
    /// @param providers the nodes allowed to serve the asset (no zero address, no duplicates).
    /// @return did the new asset's DID.
    function register(bytes32 seed, bytes32 checksum, string calldata url, address[] calldata providers)
        external
        returns (bytes32 did);

    /// @notice Gives `did` to `newOwner`. Only the current owner.
    function transferAssetOwnership(bytes32 did, address newOwner) external;

    /// @notice Lets `provider` serve `did`. Only the owner.
    function addProvider(bytes32 did, address provider) external;

    /// @notice Stops `provider` serving `did`. Only the owner.
    function removeProvider(bytes32 did, address provider) external;

    /// @notice Replaces the checksum of `did`; the old one stays in the event history. Only the owner.
    function updateChecksum(bytes32 did, bytes32 checksum) external;

    /// @notice Replaces the metadata URL of `did`; the old one stays in the event history. Only the owner.
    function updateUrl(bytes32 did, string calldata url) external;

    /// @notice Records a provenance statement whose agent is the caller.
    /// @dev Reverts with {NotProvenanceAgent} unless `record.agent == msg.sender`.
    function recordProvenance(ProvenanceRecord calldata record) external;

    /// @notice Records a provenance statement relayed for its agent, who signed it (EIP-712,
    /// type `Provenance`, see {provenanceDigest}). Consumes the agent's current nonce.
    /// @param deadline the signature is refused after this timestamp.
    /// @param signature the agent's 65-byte ECDSA signature, or an ERC-1271 signature if the agent is a contract.
    function recordProvenanceFor(ProvenanceRecord calldata record, uint256 deadline, bytes calldata signature) external;

    /// @notice Anchors the caller's usage log `logId` at (`treeSize`, `rootHash`). The size is at
    /// least 1 ({LogTreeSizeZero}) and never decreases; at an equal size the root must be
    /// unchanged. So every size has at most one root, from the first anchor on.
    function anchorLog(bytes32 logId, uint64 treeSize, bytes32 rootHash) external;

    /// @notice The DID `register(seed, ...)` called by `registrant` creates.
    function computeDid(bytes32 seed, address registrant) external pure returns (bytes32);

    /// @notice The owner of `did`, or the zero address if it is not registered.
    function assetOwner(bytes32 did) external view returns (address);

    /// @notice Owner, checksum and metadata URL of `did`. Reverts if not registered.
    function getAsset(bytes32 did) external view returns (address owner, bytes32 checksum, string memory url);

    /// @notice Whether `account` is a provider of `did`.
    function isProvider(bytes32 did, address account) external view returns (bool);

    /// @notice The latest anchor of `provider`'s log `logId` (all zero if none).
    function latestAnchor(address provider, bytes32 logId) external view returns (LogAnchor memory);

    /// @notice The id of the record `agent` states under `key`:
    /// `keccak256(abi.encode(PROVENANCE_ID_TAG, agent, key))`. Never equal to a DID (a hash of
    /// 64 bytes, this one of 96).
    function computeProvenanceId(address agent, bytes32 key) external pure returns (bytes32);

    /// @notice Whether a provenance record with this id exists: a recorded statement (id from
    /// {computeProvenanceId}) or a registration (id = the DID).
    function provenanceRecorded(bytes32 provId) external view returns (bool);

    /// @notice The next nonce a relayed record signed by `agent` must carry.
    function nonces(address agent) external view returns (uint256);

    /// @notice The EIP-712 digest `agent` signs to let a relayer record `record` (with the agent's
    /// current nonce and `deadline`).
    function provenanceDigest(ProvenanceRecord calldata record, uint256 deadline) external view returns (bytes32);
}
