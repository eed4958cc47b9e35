// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice A measuring stick for contracts/GAS.md, not a contract to deploy: `register` as
/// AssetRegistry does it (same checks, same three events, so an indexer learns the same), but
/// storing only what the chain itself checks later: the owner (asset-owner calls) and the
/// providers (fulfillAccess). The checksum and the URL are only emitted.
contract MinimalRegistry {
    bytes32 public constant ACTIVITY_REGISTER = keccak256("pactum.asset.register");

    mapping(bytes32 did => address) private _owners;
    mapping(bytes32 did => mapping(address account => bool)) private _providers;

    event AssetRegistered(bytes32 indexed did, address indexed owner, bytes32 checksum, string url);
    event ProviderAdded(bytes32 indexed did, address indexed provider);
    event WasGeneratedBy(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );

    error AssetAlreadyRegistered(bytes32 did);
    error InvalidProvider(address provider);
    error ProviderAlreadyAdded(bytes32 did, address provider);

    function register(bytes32 seed, bytes32 checksum, string calldata url, address[] calldata providers)
        external
        returns (bytes32 did)
    {
        did = keccak256(abi.encode(seed, msg.sender));
        if (_owners[did] != address(0)) revert AssetAlreadyRegistered(did);
        _owners[did] = msg.sender;
        emit AssetRegistered(did, msg.sender, checksum, url);
        for (uint256 i = 0; i < providers.length; ++i) {
            address provider = providers[i];
            if (provider == address(0)) revert InvalidProvider(provider);
            if (_providers[did][provider]) revert ProviderAlreadyAdded(did, provider);
            _providers[did][provider] = true;
            emit ProviderAdded(did, provider);
        }
        emit WasGeneratedBy(did, did, msg.sender, ACTIVITY_REGISTER, checksum);
    }

    function isProvider(bytes32 did, address account) external view returns (bool) {
        return _providers[did][account];
    }

    function assetOwner(bytes32 did) external view returns (address) {
        return _owners[did];
    }
}
