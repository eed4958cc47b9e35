// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";

/// @title AssetRegistry
/// @notice Pactum's asset registry: DIDs, owners, checksums, metadata URLs, providers,
/// provenance (W3C PROV as events, agent-signed) and usage-log anchors.
/// @dev Not upgradeable, no admin. Everything only read off chain (URL history, provenance)
/// lives in events; storage holds what other contracts must check (owner, providers).
contract AssetRegistry is IAssetRegistry, EIP712, Nonces {
    /// @notice The activity id of the WasGeneratedBy record `register` emits.
    bytes32 public constant ACTIVITY_REGISTER = keccak256("pactum.asset.register");

    /// @notice EIP-712 type of a relayed provenance record.
    bytes32 public constant PROVENANCE_TYPEHASH = keccak256(
        "Provenance(uint8 method,bytes32 key,bytes32 did,bytes32 relatedDid,address agent,address relatedAgent,"
        "bytes32 activityId,bytes32 attributes,uint256 nonce,uint256 deadline)"
    );

    /// @notice The domain of recorded provenance ids: id = keccak256(abi.encode(tag, agent, key)).
    /// Its 96-byte preimage keeps every such id apart from every DID (a 64-byte preimage).
    bytes32 public constant PROVENANCE_ID_TAG = keccak256("pactum.provenance.id");

    struct Asset {
        address owner;
        bytes32 checksum;
        string url;
    }

    mapping(bytes32 did => Asset) private _assets;
    mapping(bytes32 did => mapping(address account => bool)) private _providers;
    mapping(bytes32 provId => bool) private _provenance;
    mapping(address provider => mapping(bytes32 logId => LogAnchor)) private _anchors;

    constructor() EIP712("Pactum AssetRegistry", "1") {}

    modifier onlyAssetOwner(bytes32 did) {
        _checkAssetOwner(did);
        _;
    }

    /// @inheritdoc IAssetRegistry
    function register(bytes32 seed, bytes32 checksum, string calldata url, address[] calldata providers)
        external
        returns (bytes32 did)
    {
        did = computeDid(seed, msg.sender);
        Asset storage asset = _assets[did];
        if (asset.owner != address(0)) revert AssetAlreadyRegistered(did);
        asset.owner = msg.sender;
        asset.checksum = checksum;
        asset.url = url;
        emit AssetRegistered(did, msg.sender, checksum, url);
        for (uint256 i = 0; i < providers.length; ++i) {
            _addProvider(did, providers[i]);
        }
        // The registration is the asset's generation; its provId is the DID itself. Recorded
        // statements get ids of another domain (computeProvenanceId), so neither can take the
        // other's id: nobody can squat a DID before its registration.
        emit WasGeneratedBy(did, did, msg.sender, ACTIVITY_REGISTER, checksum);
    }

    /// @inheritdoc IAssetRegistry
    function transferAssetOwnership(bytes32 did, address newOwner) external onlyAssetOwner(did) {
        if (newOwner == address(0)) revert InvalidOwner(newOwner);
        _assets[did].owner = newOwner;
        emit AssetOwnershipTransferred(did, msg.sender, newOwner);
    }

    /// @inheritdoc IAssetRegistry
    function addProvider(bytes32 did, address provider) external onlyAssetOwner(did) {
        _addProvider(did, provider);
    }

    /// @inheritdoc IAssetRegistry
    function removeProvider(bytes32 did, address provider) external onlyAssetOwner(did) {
        if (!_providers[did][provider]) revert ProviderNotFound(did, provider);
        _providers[did][provider] = false;
        emit ProviderRemoved(did, provider);
    }

    /// @inheritdoc IAssetRegistry
    function updateChecksum(bytes32 did, bytes32 checksum) external onlyAssetOwner(did) {
        Asset storage asset = _assets[did];
        bytes32 previous = asset.checksum;
        asset.checksum = checksum;
        emit ChecksumUpdated(did, previous, checksum);
    }

    /// @inheritdoc IAssetRegistry
    function updateUrl(bytes32 did, string calldata url) external onlyAssetOwner(did) {
        Asset storage asset = _assets[did];
        string memory previous = asset.url;
        asset.url = url;
        emit UrlUpdated(did, previous, url);
    }

    /// @inheritdoc IAssetRegistry
    function recordProvenance(ProvenanceRecord calldata record) external {
        if (record.agent != msg.sender) revert NotProvenanceAgent(msg.sender, record.agent);
        _recordProvenance(record);
    }

    /// @inheritdoc IAssetRegistry
    function recordProvenanceFor(ProvenanceRecord calldata record, uint256 deadline, bytes calldata signature)
        external
    {
        if (block.timestamp > deadline) revert ProvenanceSignatureExpired(deadline);
        bytes32 digest = _provenanceDigest(record, _useNonce(record.agent), deadline);
        if (!SignatureChecker.isValidSignatureNow(record.agent, digest, signature)) {
            revert InvalidProvenanceSignature(record.agent);
        }
        _recordProvenance(record);
    }

    /// @inheritdoc IAssetRegistry
    function anchorLog(bytes32 logId, uint64 treeSize, bytes32 rootHash) external {
        // An empty log commits to nothing, and size 0 is also what "never anchored" reads as:
        // refusing it keeps "one root per size" true from the first anchor on.
        if (treeSize == 0) revert LogTreeSizeZero(logId);
        LogAnchor storage anchor = _anchors[msg.sender][logId];
        uint64 current = anchor.treeSize;
        if (treeSize < current) revert LogTreeSizeDecreased(logId, current, treeSize);
        // Two different roots for one size would be a split view of the log.
        if (treeSize == current && anchor.rootHash != rootHash) {
            revert LogRootConflict(logId, treeSize, anchor.rootHash, rootHash);
        }
        anchor.treeSize = treeSize;
        anchor.anchoredAt = uint64(block.timestamp);
        anchor.rootHash = rootHash;
        emit LogAnchored(msg.sender, logId, treeSize, rootHash);
    }

    /// @inheritdoc IAssetRegistry
    function computeDid(bytes32 seed, address registrant) public pure returns (bytes32) {
        return keccak256(abi.encode(seed, registrant));
    }

    /// @inheritdoc IAssetRegistry
    function assetOwner(bytes32 did) external view returns (address) {
        return _assets[did].owner;
    }

    /// @inheritdoc IAssetRegistry
    function getAsset(bytes32 did) external view returns (address owner, bytes32 checksum, string memory url) {
        Asset storage asset = _assets[did];
        if (asset.owner == address(0)) revert AssetNotRegistered(did);
        return (asset.owner, asset.checksum, asset.url);
    }

    /// @inheritdoc IAssetRegistry
    function isProvider(bytes32 did, address account) external view returns (bool) {
        return _providers[did][account];
    }

    /// @inheritdoc IAssetRegistry
    function latestAnchor(address provider, bytes32 logId) external view returns (LogAnchor memory) {
        return _anchors[provider][logId];
    }

    /// @inheritdoc IAssetRegistry
    function computeProvenanceId(address agent, bytes32 key) public pure returns (bytes32) {
        return keccak256(abi.encode(PROVENANCE_ID_TAG, agent, key));
    }

    /// @inheritdoc IAssetRegistry
    function provenanceRecorded(bytes32 provId) external view returns (bool) {
        return _provenance[provId] || _assets[provId].owner != address(0);
    }

    /// @inheritdoc IAssetRegistry
    function nonces(address agent) public view override(IAssetRegistry, Nonces) returns (uint256) {
        return super.nonces(agent);
    }

    /// @inheritdoc IAssetRegistry
    function provenanceDigest(ProvenanceRecord calldata record, uint256 deadline) external view returns (bytes32) {
        return _provenanceDigest(record, nonces(record.agent), deadline);
    }

    /// @notice The EIP-712 domain separator of this registry.
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _addProvider(bytes32 did, address provider) private {
        if (provider == address(0)) revert InvalidProvider(provider);
        if (_providers[did][provider]) revert ProviderAlreadyAdded(did, provider);
        _providers[did][provider] = true;
        emit ProviderAdded(did, provider);
    }

    function _checkAssetOwner(bytes32 did) private view {
        address owner = _assets[did].owner;
        if (owner == address(0)) revert AssetNotRegistered(did);
        if (owner != msg.sender) revert NotAssetOwner(did, msg.sender, owner);
    }

    function _provenanceDigest(ProvenanceRecord calldata r, uint256 nonce, uint256 deadline)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    PROVENANCE_TYPEHASH,
                    r.method,
                    r.key,
                    r.did,
                    r.relatedDid,
                    r.agent,
                    r.relatedAgent,
                    r.activityId,
                    r.attributes,
                    nonce,
                    deadline
                )
            )
        );
    }

    function _recordProvenance(ProvenanceRecord calldata r) private {
        ProvenanceMethod method = r.method;
        if (r.key == bytes32(0) || r.agent == address(0)) revert InvalidProvenanceRecord(method);
        if (method == ProvenanceMethod.WasDerivedFrom ? r.relatedDid == bytes32(0) : r.relatedDid != bytes32(0)) {
            revert InvalidProvenanceRecord(method);
        }
        if (method == ProvenanceMethod.ActedOnBehalf ? r.relatedAgent == address(0) : r.relatedAgent != address(0)) {
            revert InvalidProvenanceRecord(method);
        }
        if (_assets[r.did].owner == address(0)) revert AssetNotRegistered(r.did);
        // Scoped to the agent: a key is the agent's own, so no one else can take its id.
        bytes32 provId = computeProvenanceId(r.agent, r.key);
        if (_provenance[provId]) revert ProvenanceIdUsed(provId);
        _provenance[provId] = true;

        if (method == ProvenanceMethod.WasGeneratedBy) {
            emit WasGeneratedBy(provId, r.did, r.agent, r.activityId, r.attributes);
        } else if (method == ProvenanceMethod.Used) {
            emit Used(provId, r.did, r.agent, r.activityId, r.attributes);
        } else if (method == ProvenanceMethod.WasDerivedFrom) {
            emit WasDerivedFrom(provId, r.did, r.relatedDid, r.agent, r.activityId, r.attributes);
        } else if (method == ProvenanceMethod.WasAssociatedWith) {
            emit WasAssociatedWith(provId, r.did, r.agent, r.activityId, r.attributes);
        } else {
            // The delegate's own claim: the responsible agent did not sign it (see ActedOnBehalf).
            emit ActedOnBehalf(provId, r.did, r.agent, r.relatedAgent, r.activityId, r.attributes);
        }
    }
}
