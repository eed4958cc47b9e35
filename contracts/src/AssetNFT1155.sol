// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {IAssetNFT, IAssetNFT1155} from "./interfaces/IAssetNFT.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";

/// @title AssetNFT1155
/// @notice ERC-1155 editions of Pactum assets, with ERC-2981 royalties and provenance events.
/// @dev Token id = uint256(did). Not upgradeable, no admin: the asset owner in the registry decides.
contract AssetNFT1155 is IAssetNFT1155, ERC1155, ERC2981 {
    /// @notice The activity id of mint provenance records.
    bytes32 public constant ACTIVITY_MINT = keccak256("pactum.nft.mint");
    /// @notice The activity id of burn provenance records.
    bytes32 public constant ACTIVITY_BURN = keccak256("pactum.nft.burn");

    /// @notice The registry that says who owns an asset.
    IAssetRegistry public immutable registry;

    mapping(uint256 id => uint256) private _totalSupply;
    uint256 private _provenanceCount;

    /// @param registry_ the AssetRegistry owners are checked against.
    /// @param uri_ the ERC-1155 metadata URI template (with `{id}`).
    constructor(IAssetRegistry registry_, string memory uri_) ERC1155(uri_) {
        registry = registry_;
    }

    /// @inheritdoc IAssetNFT1155
    function mint(bytes32 did, address to, uint256 amount, bytes calldata data) external {
        _checkAssetOwner(did);
        if (amount == 0) revert ZeroAmount(uint256(did));
        _mint(to, uint256(did), amount, data);
        emit WasGeneratedBy(_nextProvenanceId(), did, msg.sender, ACTIVITY_MINT, bytes32(amount));
    }

    /// @inheritdoc IAssetNFT1155
    function burn(address from, uint256 id, uint256 amount) external {
        if (from != msg.sender && !isApprovedForAll(from, msg.sender)) {
            revert ERC1155MissingApprovalForAll(msg.sender, from);
        }
        // Burning 0 would pass ERC-1155's balance check for anyone holding nothing and emit burn
        // provenance for an id they never held.
        if (amount == 0) revert ZeroAmount(id);
        _burn(from, id, amount);
        emit WasAssociatedWith(_nextProvenanceId(), bytes32(id), msg.sender, ACTIVITY_BURN, bytes32(amount));
    }

    /// @inheritdoc IAssetNFT
    function setRoyalty(bytes32 did, address receiver, uint96 feeNumerator) external {
        _checkAssetOwner(did);
        if (receiver == address(0) || feeNumerator > _feeDenominator()) revert InvalidRoyalty(receiver, feeNumerator);
        _setTokenRoyalty(uint256(did), receiver, feeNumerator);
        emit RoyaltySet(did, receiver, feeNumerator);
    }

    /// @inheritdoc IAssetNFT1155
    function totalSupply(uint256 id) external view returns (uint256) {
        return _totalSupply[id];
    }

    /// @inheritdoc ERC1155
    function supportsInterface(bytes4 interfaceId) public view override(ERC1155, ERC2981) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _update(address from, address to, uint256[] memory ids, uint256[] memory values) internal override {
        super._update(from, to, ids, values);
        if (from == address(0) || to == address(0)) {
            for (uint256 i = 0; i < ids.length; ++i) {
                if (from == address(0)) {
                    _totalSupply[ids[i]] += values[i];
                } else {
                    // cannot underflow: the burn above succeeded, so the supply held `values[i]`.
                    unchecked {
                        _totalSupply[ids[i]] -= values[i];
                    }
                }
            }
        }
    }

    function _checkAssetOwner(bytes32 did) private view {
        address owner = registry.assetOwner(did);
        if (owner != msg.sender) revert NotAssetOwner(did, msg.sender, owner);
    }

    function _nextProvenanceId() private returns (bytes32) {
        return keccak256(abi.encode(address(this), ++_provenanceCount));
    }
}
