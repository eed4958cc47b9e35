// SPDX-License-Identifier: Apache-2.0
// A tiny contract for the live RPC tests (tests/rpc/anvil_test.cpp compiles it with solc-js at
// test time): a constructor argument, a view, an event, a require with a reason, a custom error.
pragma solidity ^0.8.20;

contract Counter {
    event Incremented(address indexed by, uint256 newValue, string note);

    error TooLarge(uint256 by, uint256 limit);

    uint256 public value;

    constructor(uint256 initial) {
        value = initial;
    }

    function increment(uint256 by, string calldata note) external {
        require(by > 0, "by must be positive");
        if (by > 1000) revert TooLarge(by, 1000);
        value += by;
        emit Incremented(msg.sender, value, note);
    }
}
