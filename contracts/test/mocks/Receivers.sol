// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";

/// @notice Hostile payment receivers, each switchable on and off by whoever deployed it (the
/// extortion case: refuse until paid off, then accept).
abstract contract Switchable {
    address private immutable _admin = msg.sender;
    bool public armed;

    function setArmed(bool value) external {
        require(msg.sender == _admin, "not admin");
        armed = value;
    }
}

/// @notice While armed, refuses every payment by reverting with return data sized to nearly all
/// the gas it was given: a caller that copies return data (Solidity's `(ok, ret) = to.call(...)`
/// or `(ok,) = to.call(...)`) then pays the same memory expansion again with the 1/64 it kept,
/// and runs out of gas whatever its gas limit.
contract ReturnBomb is Switchable {
    /// The bomb is capped so that a test with forge's default (astronomical) gas limit does not
    /// ask the EVM for terabytes of memory; 16 MiB is far beyond any real block's gas.
    uint256 internal constant _MAX_WORDS = 1 << 19;

    receive() external payable {
        if (armed) _explode();
    }

    /// ERC-20 hook style entry, for tokens that call their receiver back.
    function onTokenReceived(address, uint256) external view returns (bytes4) {
        if (armed) _explode();
        return this.onTokenReceived.selector;
    }

    function _explode() internal view {
        // Memory of w words costs 3w + w^2/512 gas; take w with w^2/512 about 9/10 of what is left.
        uint256 words = _sqrt(gasleft() * 460);
        if (words > _MAX_WORDS) words = _MAX_WORDS;
        assembly {
            revert(0, mul(words, 32))
        }
    }

    function _sqrt(uint256 x) internal pure returns (uint256 y) {
        if (x == 0) return 0;
        y = x;
        uint256 z = (x + 1) / 2;
        while (z < y) {
            y = z;
            z = (x / z + z) / 2;
        }
    }
}

/// @notice While armed, burns every unit of gas it is given (INVALID) instead of accepting.
contract GasBurner is Switchable {
    receive() external payable {
        if (armed) {
            assembly {
                invalid()
            }
        }
    }

    function onTokenReceived(address, uint256) external view returns (bytes4) {
        if (armed) {
            assembly {
                invalid()
            }
        }
        return this.onTokenReceived.selector;
    }
}

/// @notice A payment splitter with fixed payees and no way to call anything itself (no owner
/// functions, no `withdraw` call): it forwards what it receives, half to each payee, unless
/// paused. A payment deferred while it was paused can reach it only if someone else pushes it.
contract PausableSplitter {
    address public immutable payeeA;
    address public immutable payeeB;
    address private immutable _pauser = msg.sender;
    bool public paused;

    constructor(address a, address b) {
        payeeA = a;
        payeeB = b;
    }

    function setPaused(bool value) external {
        require(msg.sender == _pauser, "not pauser");
        paused = value;
    }

    receive() external payable {
        require(!paused, "paused");
        uint256 half = msg.value / 2;
        (bool okA,) = payeeA.call{value: half}("");
        (bool okB,) = payeeB.call{value: msg.value - half}("");
        require(okA && okB, "payee refused");
    }
}

/// @notice An honest contract receiver whose receive() costs real gas (a few cold storage writes,
/// like a wallet that books incoming payments): a push with too little gas fails for it.
contract BookkeepingWallet {
    uint256 public received;
    uint256 public payments;
    uint256 public lastAt;

    receive() external payable {
        received += msg.value;
        payments += 1;
        lastAt = block.timestamp;
    }
}

/// @notice A consumer contract that creates and locks agreements and refuses refunds while armed.
contract RefusingConsumer is Switchable {
    function createAndLock(IAgreementEngine engine, bytes32 seed, IAgreementEngine.AgreementParams calldata p)
        external
        payable
        returns (bytes32)
    {
        return engine.createAgreementAndLock{value: msg.value}(seed, p);
    }

    function approve(address token, address spender) external {
        (bool ok,) = token.call(abi.encodeWithSignature("approve(address,uint256)", spender, type(uint256).max));
        require(ok, "approve");
    }

    receive() external payable {
        require(!armed, "refused");
    }
}
