// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC2981} from "@openzeppelin/contracts/token/common/ERC2981.sol";
import {IAssetNFT, IAssetNFT721} from "./interfaces/IAssetNFT.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";

/// @title AssetNFT721
/// @notice ERC-721 collections of Pactum assets (one collection per DID), with ERC-2981
/// royalties per asset and provenance events.
/// @dev Not upgradeable, no admin: the asset owner in the registry decides.
contract AssetNFT721 is IAssetNFT721, ERC721, ERC2981 {
    /// @notice The activity id of mint provenance records.
    bytes32 public constant ACTIVITY_MINT = keccak256("pactum.nft.mint");
    /// @notice The activity id of burn provenance records.
    bytes32 public constant ACTIVITY_BURN = keccak256("pactum.nft.burn");

    /// @notice The registry that says who owns an asset.
    IAssetRegistry public immutable registry;

    string private _base;
    mapping(uint256 tokenId => bytes32 did) private _assetOf;
    mapping(bytes32 did => uint256) private _minted;
    mapping(bytes32 did => RoyaltyInfo) private _royalties;
    uint256 private _provenanceCount;

    /// @param registry_ the AssetRegistry owners are checked against.
    /// @param name_ the ERC-721 name.
    /// @param symbol_ the ERC-721 symbol.
    /// @param baseURI_ prefix of every token URI (token URI = prefix + decimal token id).
    constructor(IAssetRegistry registry_, string memory name_, string memory symbol_, string memory baseURI_)
        ERC721(name_, symbol_)
    {
        registry = registry_;
        _base = baseURI_;
    }

    /// @inheritdoc IAssetNFT721
    function mint(bytes32 did, address to) external returns (uint256 tokenId) {
        _checkAssetOwner(did);
        tokenId = computeTokenId(did, ++_minted[did]);
        _assetOf[tokenId] = did;
        _safeMint(to, tokenId);
        emit WasGeneratedBy(_nextProvenanceId(), did, msg.sender, ACTIVITY_MINT, bytes32(tokenId));
    }

    /// @inheritdoc IAssetNFT721
    function burn(uint256 tokenId) external {
        // _update with an auth argument checks the caller is the owner or approved.
        _update(address(0), tokenId, msg.sender);
        emit WasAssociatedWith(_nextProvenanceId(), _assetOf[tokenId], msg.sender, ACTIVITY_BURN, bytes32(tokenId));
    }

    /// @inheritdoc IAssetNFT
    function setRoyalty(bytes32 did, address receiver, uint96 feeNumerator) external {
        _checkAssetOwner(did);
        if (receiver == address(0) || feeNumerator > _feeDenominator()) revert InvalidRoyalty(receiver, feeNumerator);
        _royalties[did] = RoyaltyInfo(receiver, feeNumerator);
        emit RoyaltySet(did, receiver, feeNumerator);
    }

    /// @notice ERC-2981: the royalty of `did`'s collection applies to each of its tokens.
    function royaltyInfo(uint256 tokenId, uint256 salePrice)
        public
        view
        override
        returns (address receiver, uint256 amount)
    {
        RoyaltyInfo storage royalty = _royalties[_assetOf[tokenId]];
        return (royalty.receiver, salePrice * royalty.royaltyFraction / _feeDenominator());
    }

    /// @inheritdoc IAssetNFT721
    function assetOf(uint256 tokenId) external view returns (bytes32) {
        return _assetOf[tokenId];
    }

    /// @inheritdoc IAssetNFT721
    function mintedCount(bytes32 did) external view returns (uint256) {
        return _minted[did];
    }

    /// @inheritdoc IAssetNFT721
    function computeTokenId(bytes32 did, uint256 serial) public pure returns (uint256) {
        return uint256(keccak256(abi.encode(did, serial)));
    }

    /// @inheritdoc ERC721
    function supportsInterface(bytes4 interfaceId) public view override(ERC721, ERC2981) returns (bool) {
        return super.supportsInterface(interfaceId);
    }

    function _baseURI() internal view override returns (string memory) {
        return _base;
    }

    function _checkAssetOwner(bytes32 did) private view {
        address owner = registry.assetOwner(did);
        if (owner != msg.sender) revert NotAssetOwner(did, msg.sender, owner);
    }

    function _nextProvenanceId() private returns (bytes32) {
        return keccak256(abi.encode(address(this), ++_provenanceCount));
    }
}
