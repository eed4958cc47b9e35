// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @notice Writes a line to forge's test log (shown with -vv), by calling the address forge
/// listens on for console logs, with the `log(string)` signature forge decodes. A low-level call:
/// there is no code at that address, so a typed call would revert on the code-size check.
library Console {
    address internal constant CONSOLE = 0x000000000000000000636F6e736F6c652e6c6f67;

    function log(string memory line) internal view {
        (bool ok,) = CONSOLE.staticcall(abi.encodeWithSignature("log(string)", line));
        ok; // forge answers nothing; there is nothing to check
    }
}
