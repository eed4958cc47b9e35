// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {Test} from "./utils/Test.sol";
import {PactumDevToken} from "../src/dev/PactumDevToken.sol";

/// @notice The development token exists only on anvil's chain and anyone may mint it.
contract PactumDevTokenTest is Test {
    function test_constructor_deploysOnTheDevChain() public {
        PactumDevToken token = new PactumDevToken();
        assertEq(token.symbol(), "PDEV");
        assertEq(uint256(token.decimals()), 18);
        assertEq(token.totalSupply(), 0);
    }

    function test_constructor_revertsOnAnotherChain() public {
        vm.chainId(1);
        vm.expectRevert(abi.encodeWithSelector(PactumDevToken.DevChainOnly.selector, uint256(1)));
        new PactumDevToken();
    }

    function test_mint_byAnyone() public {
        PactumDevToken token = new PactumDevToken();
        vm.prank(address(0xBEEF));
        token.mint(address(0xCAFE), 5e18);
        assertEq(token.balanceOf(address(0xCAFE)), 5e18);
        assertEq(token.totalSupply(), 5e18);
    }
}
