// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {Vm} from "./utils/Vm.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";
import {IAssetRegistry} from "../src/interfaces/IAssetRegistry.sol";
import {IProvenance} from "../src/interfaces/IProvenance.sol";
import {IAssetNFT1155} from "../src/interfaces/IAssetNFT.sol";
import {AssetNFT1155} from "../src/AssetNFT1155.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {IERC721Errors} from "@openzeppelin/contracts/interfaces/draft-IERC6093.sol";

/// @notice The Info findings of the escrow review (#17): each PoC succeeded on the contracts
/// before the fix (or, where the behaviour is kept on purpose, the test pins what is documented).
contract InfoFindingsTest is Fixture {
    bytes32 internal constant SEED = keccak256("order");
    address internal constant STRANGER = address(0x5757);
    bytes32 internal constant LOG = "usage-log";

    // ------------------------------------------------------------ anchorLog at size 0

    /// PoC: size 0 reads as "never anchored", so a provider could anchor size 0 with one root and
    /// then with another, although the NatSpec promised one root per size. Now size 0 is refused.
    function test_anchorLog_refusesSizeZero() public {
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.LogTreeSizeZero.selector, LOG));
        vm.prank(provider);
        registry.anchorLog(LOG, 0, keccak256("root-a"));
        IAssetRegistry.LogAnchor memory a = registry.latestAnchor(provider, LOG);
        assertEq(a.treeSize, 0);
        assertEq(a.rootHash, bytes32(0), "nothing stored");
        assertEq(a.anchoredAt, 0);
    }

    /// From the first anchor on, each size has one root, including the first size itself.
    function test_anchorLog_firstSizeHasOneRoot() public {
        vm.prank(provider);
        registry.anchorLog(LOG, 1, keccak256("root-a"));
        vm.expectRevert(
            abi.encodeWithSelector(
                IAssetRegistry.LogRootConflict.selector, LOG, uint64(1), keccak256("root-a"), keccak256("root-b")
            )
        );
        vm.prank(provider);
        registry.anchorLog(LOG, 1, keccak256("root-b"));
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.LogTreeSizeZero.selector, LOG));
        vm.prank(provider);
        registry.anchorLog(LOG, 0, keccak256("root-b"));
    }

    // ------------------------------------------------------------ burns (and mints) of 0

    /// PoC: anyone holding nothing could burn 0 editions of any id and so emit burn provenance
    /// (WasAssociatedWith, activity "burn") for an asset it never held. Now refused, no event.
    function test_burn1155_ofZeroRefused() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "");
        vm.prank(publisher);
        editions.mint(did, consumer, 2, "");
        vm.recordLogs();
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT1155.ZeroAmount.selector, uint256(did)));
        vm.prank(STRANGER);
        editions.burn(STRANGER, uint256(did), 0);
        assertEq(vm.getRecordedLogs().length, 0, "no provenance for nothing");
        assertEq(editions.totalSupply(uint256(did)), 2);
    }

    /// The same for the owner's mint: a generation record of nothing is refused too.
    function test_mint1155_ofZeroRefused() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "");
        vm.expectRevert(abi.encodeWithSelector(IAssetNFT1155.ZeroAmount.selector, uint256(did)));
        vm.prank(publisher);
        editions.mint(did, consumer, 0, "");
    }

    /// ERC-721 had no such gap: burning a token one does not hold (or that does not exist) reverts.
    function test_burn721_byNonHolderRefused() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        vm.prank(publisher);
        uint256 tokenId = collection.mint(did, consumer);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721InsufficientApproval.selector, STRANGER, tokenId));
        vm.prank(STRANGER);
        collection.burn(tokenId);
        vm.expectRevert(abi.encodeWithSelector(IERC721Errors.ERC721NonexistentToken.selector, tokenId + 1));
        vm.prank(STRANGER);
        collection.burn(tokenId + 1);
    }

    // ------------------------------------------------------------ an NFT sale at price 0

    function _sale(AssetNFT721 collection, uint256 tokenId, address seller, uint256 price)
        internal
        view
        returns (IAgreementEngine.AgreementParams memory p)
    {
        p = _paidParams(address(0), price);
        p.templateId = nftSale;
        p.nft.nft = address(collection);
        p.nft.standard = IAgreementEngine.NftStandard.ERC721;
        p.nft.tokenId = tokenId;
        p.nft.amount = 1;
        p.nft.seller = seller;
        p.payment.receivers[0] = seller;
    }

    /// Kept on purpose (see RoyaltyNotPaid): a sale at price 0 owes no royalty. Refusing it would
    /// not make the royalty binding: the seller can give the token away with the token's own
    /// transfer, which this test also shows. At any price the engine holds, the royalty is due.
    function test_nftSale_atPriceZeroOwesNoRoyalty() public {
        AssetNFT721 collection = new AssetNFT721(registry, "A", "A", "");
        address seller = address(0x5E11);
        address royalty = address(0x2981);
        vm.startPrank(publisher);
        uint256 tokenId = collection.mint(did, seller);
        uint256 second = collection.mint(did, seller);
        collection.setRoyalty(did, royalty, 1000); // 10 %
        vm.stopPrank();
        vm.prank(seller);
        collection.setApprovalForAll(address(engine), true);

        IAgreementEngine.AgreementParams memory p = _sale(collection, tokenId, seller, 0);
        vm.prank(consumer);
        bytes32 id = engine.createAgreementAndLock(SEED, p);
        vm.prank(seller);
        engine.fulfillNftTransfer(id, p);
        engine.releasePayment(id, p);
        assertEq(collection.ownerOf(tokenId), consumer);
        assertEq(royalty.balance, 0);
        assertEq(engine.owed(royalty, address(0)), 0);

        // The same outcome without the engine: ERC-2981 is not enforced by the token.
        vm.prank(seller);
        collection.transferFrom(seller, consumer, second);
        assertEq(collection.ownerOf(second), consumer);

        // A priced sale must pay the royalty on the price.
        IAgreementEngine.AgreementParams memory priced = _sale(collection, tokenId, consumer, 1 ether);
        vm.expectRevert(abi.encodeWithSelector(IAgreementEngine.RoyaltyNotPaid.selector, royalty, 0.1 ether, 0));
        vm.prank(consumer);
        engine.createAgreementAndLock{value: 1 ether}(keccak256("resale"), priced);
    }

    // ------------------------------------------------------------ ActedOnBehalf

    /// Documented, not countersigned: an ActedOnBehalf record names a responsible agent who did
    /// not sign it. It is the delegate's claim, under the delegate's own id; it neither uses nor
    /// blocks anything of the responsible agent, who vouches for the activity (or not) with a
    /// record of its own, under its own id.
    function test_actedOnBehalf_isTheDelegatesOwnClaim() public {
        address delegate = address(0xDE1E);
        IAssetRegistry.ProvenanceRecord memory claim;
        claim.method = IProvenance.ProvenanceMethod.ActedOnBehalf;
        claim.key = "job-7";
        claim.did = did;
        claim.agent = delegate;
        claim.relatedAgent = publisher; // named without its consent
        claim.activityId = keccak256("job-7");
        vm.recordLogs();
        vm.prank(delegate);
        registry.recordProvenance(claim);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[1], registry.computeProvenanceId(delegate, "job-7"), "the delegate's id");
        assertEq(logs[0].topics[3], bytes32(uint256(uint160(delegate))), "indexed by the delegate");
        assertFalse(registry.provenanceRecorded(registry.computeProvenanceId(publisher, "job-7")));

        // The responsible agent's own statement about the same activity, under its own id.
        IAssetRegistry.ProvenanceRecord memory vouch;
        vouch.method = IProvenance.ProvenanceMethod.WasAssociatedWith;
        vouch.key = "job-7";
        vouch.did = did;
        vouch.agent = publisher;
        vouch.activityId = keccak256("job-7");
        vm.prank(publisher);
        registry.recordProvenance(vouch);
        assertTrue(registry.provenanceRecorded(registry.computeProvenanceId(publisher, "job-7")));

        // Nobody records in another's name without its signature.
        vm.expectRevert(abi.encodeWithSelector(IAssetRegistry.NotProvenanceAgent.selector, delegate, publisher));
        vm.prank(delegate);
        registry.recordProvenance(vouch);
    }
}
