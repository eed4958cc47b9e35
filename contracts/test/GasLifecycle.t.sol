// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Fixture} from "./utils/Fixture.sol";
import {IAgreementEngine} from "../src/interfaces/IAgreementEngine.sol";
import {AssetNFT1155} from "../src/AssetNFT1155.sol";
import {AssetNFT721} from "../src/AssetNFT721.sol";
import {MockERC20} from "./mocks/Tokens.sol";
import {MinimalRegistry} from "./mocks/MinimalRegistry.sol";

/// @notice Measures the paid-access lifecycle in ether, one transaction per step as a node and a
/// consumer would send them. scripts/contracts-test.sh runs it with `--isolate`: every call is
/// then its own transaction (cold storage, refunds applied) and `vm.lastCallGas().gasTotalUsed`
/// is what its receipt would show, intrinsic cost included. Without `--isolate` the intrinsic
/// cost (21,000 + calldata) is added by hand and storage is warm, so the numbers are lower.
/// The receipts of the same sequence on anvil (script/MeasureLifecycle.s.sol) agree with the
/// isolated numbers to within the calldata differences of the addresses used.
contract GasLifecycleTest is Fixture {
    function test_gas_paidAccessLifecycleEther() public {
        vm.deal(publisher, 1 ether); // a publisher's account exists already: no new-account surcharge
        IAgreementEngine.AgreementParams memory p = _paidParams(address(0), 1 ether);
        bytes32 seed = keccak256("order-1");
        bytes32 id = engine.computeAgreementId(seed, consumer);

        vm.prank(consumer);
        engine.createAgreementAndLock{value: 1 ether}(seed, p);
        uint256 create =
            vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.createAgreementAndLock, (seed, p)));

        vm.prank(provider);
        engine.fulfillAccess(id, p);
        uint256 access = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.fulfillAccess, (id, p)));

        vm.prank(provider);
        engine.releasePayment(id, p);
        uint256 release = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.releasePayment, (id, p)));

        assertEq(publisher.balance, 2 ether);
        vm.snapshotValue("lifecycle_createAndLock", create);
        vm.snapshotValue("lifecycle_access", access);
        vm.snapshotValue("lifecycle_release", release);
        vm.snapshotValue("lifecycle_total", create + access + release);
        assertLt(create + access + release, 300_000);
    }

    function test_gas_paidAccessLifecycleEtherWithFee() public {
        vm.deal(publisher, 1 ether);
        vm.deal(marketplace, 1 ether);
        IAgreementEngine.AgreementParams memory p = _paidParamsWithFee(address(0), 1 ether, 0.025 ether);
        bytes32 seed = keccak256("order-2");
        bytes32 id = engine.computeAgreementId(seed, consumer);
        vm.prank(consumer);
        engine.createAgreementAndLock{value: 1 ether}(seed, p);
        uint256 create =
            vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.createAgreementAndLock, (seed, p)));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        uint256 access = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.fulfillAccess, (id, p)));
        vm.prank(provider);
        engine.releasePayment(id, p);
        uint256 release = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.releasePayment, (id, p)));
        vm.snapshotValue("lifecycle_fee_total", create + access + release);
        assertLt(create + access + release, 300_000);
    }

    function test_gas_paidAccessLifecycleERC20() public {
        MockERC20 token = new MockERC20();
        token.mint(consumer, 10 ether);
        token.mint(publisher, 1); // the publisher holds the token already, like the ether case
        vm.prank(consumer);
        token.approve(address(engine), type(uint256).max);
        IAgreementEngine.AgreementParams memory p = _paidParams(address(token), 1 ether);
        bytes32 seed = keccak256("order-3");
        bytes32 id = engine.computeAgreementId(seed, consumer);
        vm.prank(consumer);
        engine.createAgreementAndLock(seed, p);
        uint256 create =
            vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.createAgreementAndLock, (seed, p)));
        vm.prank(provider);
        engine.fulfillAccess(id, p);
        uint256 access = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.fulfillAccess, (id, p)));
        vm.prank(provider);
        engine.releasePayment(id, p);
        uint256 release = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(engine.releasePayment, (id, p)));
        vm.snapshotValue("lifecycle_erc20_createAndLock", create);
        vm.snapshotValue("lifecycle_erc20_access", access);
        vm.snapshotValue("lifecycle_erc20_release", release);
        vm.snapshotValue("lifecycle_erc20_total", create + access + release);
    }

    function test_gas_register() public {
        address[] memory providers = new address[](1);
        providers[0] = provider;
        bytes32 seed = keccak256("asset-2");
        string memory url =
            "https://node.example/api/v1/ddo/0x0000000000000000000000000000000000000000000000000000000000000000";
        vm.prank(publisher);
        registry.register(seed, keccak256("root"), url, providers);
        uint256 gas = vm.lastCallGas().gasTotalUsed
            + _intrinsic(abi.encodeCall(registry.register, (seed, keccak256("root"), url, providers)));
        vm.snapshotValue("register_1provider", gas);
    }

    /// The same registration in a registry that stores only what the chain checks (the owner
    /// and the providers) and emits the checksum and the URL: see GAS.md.
    function test_gas_registerStoringOnlyWhatTheChainChecks() public {
        MinimalRegistry minimal = new MinimalRegistry();
        address[] memory providers = new address[](1);
        providers[0] = provider;
        bytes32 seed = keccak256("asset-2");
        string memory url =
            "https://node.example/api/v1/ddo/0x0000000000000000000000000000000000000000000000000000000000000000";
        vm.prank(publisher);
        bytes32 newDid = minimal.register(seed, keccak256("root"), url, providers);
        uint256 gas = vm.lastCallGas().gasTotalUsed
            + _intrinsic(abi.encodeCall(minimal.register, (seed, keccak256("root"), url, providers)));
        assertEq(newDid, registry.computeDid(seed, publisher), "the same DID");
        assertTrue(minimal.isProvider(newDid, provider));
        vm.snapshotValue("register_1provider_minimalStorage", gas);
    }

    function test_gas_mint() public {
        AssetNFT1155 editions = new AssetNFT1155(registry, "https://node.example/nft/{id}.json");
        AssetNFT721 collection = new AssetNFT721(registry, "Pactum Assets", "PACT", "https://node.example/nft/");
        vm.prank(publisher);
        editions.mint(did, consumer, 10, "");
        uint256 gas1155 =
            vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(editions.mint, (did, consumer, 10, "")));
        vm.prank(publisher);
        collection.mint(did, consumer);
        uint256 gas721 = vm.lastCallGas().gasTotalUsed + _intrinsic(abi.encodeCall(collection.mint, (did, consumer)));
        vm.snapshotValue("mint_erc1155_first", gas1155);
        vm.snapshotValue("mint_erc721_first", gas721);
    }

    function _intrinsic(bytes memory data) internal view returns (uint256) {
        // Under --isolate the measured gas of a transaction already includes its intrinsic cost.
        if (vm.lastCallGas().gasTotalUsed >= 21_000) return 0;
        uint256 tokens;
        for (uint256 i = 0; i < data.length; ++i) {
            tokens += data[i] == 0 ? 1 : 4;
        }
        uint256 standard = 21_000 + 4 * tokens;
        return standard;
    }
}
