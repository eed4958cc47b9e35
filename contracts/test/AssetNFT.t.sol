// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {AssetRegistry} from "../src/AssetRegistry.sol";
import {AssetNFT1155} from "../src/AssetNFT1155.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {IAssetNFT} from "../src/interfaces/IAssetNFT.sol";
import {IERC1155Errors, IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

abstract contract NftBase is Test {
    AssetRegistry internal registry;
    address internal owner = address(0xA11CE);
    address internal holder = address(0xC0FFEE);
    address internal other = address(0xD00D);
    bytes32 internal did;

    event WasGeneratedBy(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );
    event WasAssociatedWith(
        bytes32 indexed provId, bytes32 indexed did, address indexed agent, bytes32 activityId, bytes32 attributes
    );
    event RoyaltySet(bytes32 indexed did, address indexed receiver, uint96 feeNumerator);

    function setUp() public virtual {
        registry = new AssetRegistry();
        vm.prank(owner);
        did = registry.register("art", keccak256("root"), "ipfs://ddo", new address[](0));
    }
}

contract AssetNFT1155Test is NftBase {
    AssetNFT1155 internal nft;

    function setUp() public override {
        super.setUp();
        nft = new AssetNFT1155(registry, "https://node/nft/{id}.json");
    }

    function test_mint_byAssetOwnerWithProvenance() public {
        vm.expectEmit(address(nft)); // provId: hash of the contract and a counter
        emit WasGeneratedBy(
            keccak256(abi.encode(address(nft), 1)), did, owner, nft.ACTIVITY_MINT(), bytes32(uint256(3))
        );
        vm.prank(owner);
        nft.mint(did, holder, 3, "");
        assertEq(nft.balanceOf(holder, uint256(did)), 3);
        assertEq(nft.totalSupply(uint256(did)), 3);
        assertEq(nft.uri(uint256(did)), "https://node/nft/{id}.json");
    }

    function test_mint_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.NotAssetOwner.selector, did, other, owner));
        vm.prank(other);
        nft.mint(did, other, 1, "");
    }

    function test_mint_revertsForUnregisteredAsset() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.NotAssetOwner.selector, bytes32(0), owner, address(0)));
        vm.prank(owner);
        nft.mint(bytes32(0), holder, 1, "");
    }

    function test_burn_byHolderWithProvenance() public {
        vm.prank(owner);
        nft.mint(did, holder, 3, "");
        vm.expectEmit(false, true, true, true, address(nft));
        emit WasAssociatedWith(bytes32(0), did, holder, nft.ACTIVITY_BURN(), bytes32(uint256(2)));
        vm.prank(holder);
        nft.burn(holder, uint256(did), 2);
        assertEq(nft.balanceOf(holder, uint256(did)), 1);
        assertEq(nft.totalSupply(uint256(did)), 1);
    }

    function test_burn_byOperator() public {
        vm.prank(owner);
        nft.mint(did, holder, 1, "");
        vm.prank(holder);
        nft.setApprovalForAll(other, true);
        vm.prank(other);
        nft.burn(holder, uint256(did), 1);
        assertEq(nft.totalSupply(uint256(did)), 0);
    }

    function test_burn_revertsForStranger() public {
        vm.prank(owner);
        nft.mint(did, holder, 1, "");
        vm.expectRevert(abi.encodeWithSelector(IERC1155Errors.ERC1155MissingApprovalForAll.selector, other, holder));
        vm.prank(other);
        nft.burn(holder, uint256(did), 1);
    }

    function test_burn_revertsOverBalance() public {
        vm.prank(owner);
        nft.mint(did, holder, 1, "");
        vm.expectRevert(
            abi.encodeWithSelector(IERC1155Errors.ERC1155InsufficientBalance.selector, holder, 1, 2, uint256(did))
        );
        vm.prank(holder);
        nft.burn(holder, uint256(did), 2);
    }

    function test_transfer_movesEditions() public {
        vm.prank(owner);
        nft.mint(did, holder, 2, "");
        vm.prank(holder);
        nft.safeTransferFrom(holder, other, uint256(did), 1, "");
        assertEq(nft.balanceOf(other, uint256(did)), 1);
    }

    function test_setRoyalty_appliesToEditions() public {
        vm.expectEmit(address(nft));
        emit RoyaltySet(did, owner, 500);
        vm.prank(owner);
        nft.setRoyalty(did, owner, 500);
        (address r, uint256 amount) = nft.royaltyInfo(uint256(did), 1 ether);
        assertEq(r, owner);
        assertEq(amount, 0.05 ether);
    }

    function test_setRoyalty_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.NotAssetOwner.selector, did, other, owner));
        vm.prank(other);
        nft.setRoyalty(did, other, 500);
    }

    function test_setRoyalty_revertsOnInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.InvalidRoyalty.selector, owner, 10_001));
        vm.prank(owner);
        nft.setRoyalty(did, owner, 10_001);
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.InvalidRoyalty.selector, address(0), 1));
        vm.prank(owner);
        nft.setRoyalty(did, address(0), 1);
    }

    function test_supportsInterface_1155And2981() public view {
        assertTrue(nft.supportsInterface(0xd9b67a26)); // ERC-1155
        assertTrue(nft.supportsInterface(0x2a55205a)); // ERC-2981
        assertTrue(nft.supportsInterface(0x01ffc9a7)); // ERC-165
        assertFalse(nft.supportsInterface(0xffffffff));
    }

    function test_fuzz_mint(uint256 amount, uint256 burnt) public {
        amount = bound(amount, 1, type(uint128).max);
        burnt = bound(burnt, 1, amount); // a burn of 0 is refused (InfoFindings.t.sol)
        vm.prank(owner);
        nft.mint(did, holder, amount, "");
        vm.prank(holder);
        nft.burn(holder, uint256(did), burnt);
        assertEq(nft.totalSupply(uint256(did)), amount - burnt);
        assertEq(nft.balanceOf(holder, uint256(did)), amount - burnt);
    }
}

contract AssetNFT721Test is NftBase {
    AssetNFT721 internal nft;

    function setUp() public override {
        super.setUp();
        nft = new AssetNFT721(registry, "Pactum Assets", "PACT", "https://node/nft/");
    }

    function test_mint_derivesIdsPerAsset() public {
        uint256 expected = nft.computeTokenId(did, 1);
        assertEq(expected, uint256(keccak256(abi.encode(did, uint256(1)))));
        vm.expectEmit(address(nft));
        emit WasGeneratedBy(keccak256(abi.encode(address(nft), 1)), did, owner, nft.ACTIVITY_MINT(), bytes32(expected));
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        assertEq(id, expected);
        vm.prank(owner);
        uint256 id2 = nft.mint(did, holder);
        assertEq(id2, nft.computeTokenId(did, 2));
        assertEq(nft.ownerOf(id), holder);
        assertEq(nft.balanceOf(holder), 2);
        assertEq(nft.assetOf(id2), did);
        assertEq(nft.mintedCount(did), 2);
        assertEq(nft.tokenURI(id), string.concat("https://node/nft/", _dec(id)));
    }

    function test_mint_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.NotAssetOwner.selector, did, other, owner));
        vm.prank(other);
        nft.mint(did, other);
    }

    function test_mint_revertsToNonReceiverContract() public {
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InvalidReceiver.selector, address(registry)));
        vm.prank(owner);
        nft.mint(did, address(registry));
    }

    function test_burn_byOwnerWithProvenance() public {
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        vm.expectEmit(false, true, true, true, address(nft));
        emit WasAssociatedWith(bytes32(0), did, holder, nft.ACTIVITY_BURN(), bytes32(id));
        vm.prank(holder);
        nft.burn(id);
        assertEq(nft.balanceOf(holder), 0);
    }

    function test_burn_revertsForStranger() public {
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, other, id));
        vm.prank(other);
        nft.burn(id);
    }

    function test_transfer_movesToken() public {
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        vm.prank(holder);
        nft.transferFrom(holder, other, id);
        assertEq(nft.ownerOf(id), other);
    }

    function test_setRoyalty_appliesToCollection() public {
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        vm.expectEmit(address(nft));
        emit RoyaltySet(did, owner, 1000);
        vm.prank(owner);
        nft.setRoyalty(did, owner, 1000);
        (address r, uint256 amount) = nft.royaltyInfo(id, 2 ether);
        assertEq(r, owner);
        assertEq(amount, 0.2 ether);
        (r, amount) = nft.royaltyInfo(12345, 2 ether); // a token of no asset: no royalty
        assertEq(r, address(0));
        assertEq(amount, 0);
    }

    function test_setRoyalty_revertsForNonOwner() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.NotAssetOwner.selector, did, other, owner));
        vm.prank(other);
        nft.setRoyalty(did, other, 1);
    }

    function test_setRoyalty_revertsOnInvalid() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT.InvalidRoyalty.selector, owner, 10_001));
        vm.prank(owner);
        nft.setRoyalty(did, owner, 10_001);
    }

    function test_supportsInterface_721And2981() public view {
        assertTrue(nft.supportsInterface(0x80ac58cd)); // ERC-721
        assertTrue(nft.supportsInterface(0x2a55205a)); // ERC-2981
        assertFalse(nft.supportsInterface(0xffffffff));
    }

    function test_fuzz_royaltyInfo(uint96 fee, uint128 price) public {
        fee = uint96(bound(fee, 0, 10_000));
        vm.prank(owner);
        uint256 id = nft.mint(did, holder);
        vm.prank(owner);
        nft.setRoyalty(did, owner, fee);
        (, uint256 amount) = nft.royaltyInfo(id, price);
        assertEq(amount, uint256(price) * fee / 10_000);
        assertLe(amount, price);
    }

    function _dec(uint256 v) internal pure returns (string memory) {
        if (v == 0) return "0";
        bytes memory b;
        while (v != 0) {
            b = abi.encodePacked(bytes1(uint8(48 + v % 10)), b);
            v /= 10;
        }
        return string(b);
    }
}
