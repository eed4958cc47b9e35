// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IProvenance} from "./IProvenance.sol";

/// @title IAssetNFT
/// @notice What Pactum's NFT contracts share: tokens tied to a registered asset, minted only by
/// the asset's owner, royalties (ERC-2981) set per asset by its owner, provenance on mint and burn.
interface IAssetNFT is IProvenance {
    /// @notice Only the owner `owner` of `did` may do this; `caller` tried.
    error NotAssetOwner(bytes32 did, address caller, address owner);
    /// @notice A royalty needs a receiver and a fee of at most 10000 basis points.
    error InvalidRoyalty(address receiver, uint96 feeNumerator);

    /// @notice The royalty of every token of `did` is now `feeNumerator` / 10000 to `receiver`.
    event RoyaltySet(bytes32 indexed did, address indexed receiver, uint96 feeNumerator);

    /// @notice Sets the ERC-2981 royalty of `did`'s tokens. Only the asset's owner.
    /// @param feeNumerator the royalty in basis points (10000 = the whole price).
    function setRoyalty(bytes32 did, address receiver, uint96 feeNumerator) external;
}

/// @title IAssetNFT1155
/// @notice ERC-1155 editions of assets: the token id of asset `did` is `uint256(did)`.
interface IAssetNFT1155 is IAssetNFT {
    /// @notice A mint or burn of token `id` must move at least one edition: provenance is never
    /// recorded for nothing.
    error ZeroAmount(uint256 id);

    /// @notice Mints `amount` (at least 1) editions of `did` to `to`. Only the asset's owner.
    /// Emits WasGeneratedBy.
    function mint(bytes32 did, address to, uint256 amount, bytes calldata data) external;

    /// @notice Burns `amount` (at least 1) of token `id` held by `from`; the caller is `from` or
    /// its operator. Emits WasAssociatedWith (the burner and the burn activity).
    function burn(address from, uint256 id, uint256 amount) external;

    /// @notice How many editions of `id` exist.
    function totalSupply(uint256 id) external view returns (uint256);
}

/// @title IAssetNFT721
/// @notice ERC-721 collections of assets: asset `did`'s n-th token has id
/// `uint256(keccak256(abi.encode(did, n)))`, n counting from 1.
interface IAssetNFT721 is IAssetNFT {
    /// @notice Mints the next token of `did`'s collection to `to`. Only the asset's owner.
    /// Emits WasGeneratedBy.
    /// @return tokenId the new token's id.
    function mint(bytes32 did, address to) external returns (uint256 tokenId);

    /// @notice Burns `tokenId`; the caller is its owner or approved. Emits WasAssociatedWith.
    function burn(uint256 tokenId) external;

    /// @notice The asset token `tokenId` belongs to (zero if it never existed).
    function assetOf(uint256 tokenId) external view returns (bytes32);

    /// @notice How many tokens of `did` were minted (burnt ones included).
    function mintedCount(bytes32 did) external view returns (uint256);

    /// @notice The id of the `serial`-th token of `did`.
    function computeTokenId(bytes32 did, uint256 serial) external pure returns (uint256);
}
