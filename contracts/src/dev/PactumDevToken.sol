// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @title PactumDevToken
/// @notice A plain ERC-20 for the local development chain, so that assets priced in a token can
/// be tried and tested end to end (`pactum up` deploys one and funds the dev accounts).
/// @dev Anyone may mint: it is worth nothing. It can exist only on anvil's default chain
/// (31337): the constructor refuses any other, so it can never pass for a real token.
contract PactumDevToken is ERC20 {
    /// @notice The only chain this token may be deployed on (anvil's default).
    uint256 public constant DEV_CHAIN_ID = 31337;

    /// @notice The token was deployed on chain `chainId`, which is not the development chain.
    error DevChainOnly(uint256 chainId);

    constructor() ERC20("Pactum Dev Token", "PDEV") {
        if (block.chainid != DEV_CHAIN_ID) revert DevChainOnly(block.chainid);
    }

    /// @notice Creates `amount` tokens for `to`; open to anyone (see the contract's note).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
