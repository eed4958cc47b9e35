// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice A plain ERC-20 anyone can mint, for tests.
contract MockERC20 is ERC20 {
    constructor() ERC20("Mock", "MOCK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}

/// @notice An ERC-20 that keeps 1 % of every transfer (fee-on-transfer).
contract FeeOnTransferERC20 is ERC20 {
    constructor() ERC20("Fee", "FEE") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            uint256 fee = value / 100;
            super._update(from, address(0xFEE), fee);
            value -= fee;
        }
        super._update(from, to, value);
    }
}

/// @notice An ERC-20 whose transfers to `blocked` revert (like a blocklisting stablecoin).
contract BlockingERC20 is ERC20 {
    address public blocked;

    constructor() ERC20("Block", "BLK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account) external {
        blocked = account;
    }

    function _update(address from, address to, uint256 value) internal override {
        require(to != blocked, "blocked");
        super._update(from, to, value);
    }
}

/// @notice An ERC-20 that answers `false` (instead of reverting) to a transfer to, or a
/// transferFrom out of, a blocked account, as some deployed tokens do.
contract ReturnsFalseERC20 is ERC20 {
    mapping(address => bool) public blocked;

    constructor() ERC20("False", "FLS") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBlocked(address account, bool value) external {
        blocked[account] = value;
    }

    function transfer(address to, uint256 value) public override returns (bool) {
        if (blocked[to] || blocked[msg.sender]) return false;
        return super.transfer(to, value);
    }

    function transferFrom(address from, address to, uint256 value) public override returns (bool) {
        if (blocked[from] || blocked[to]) return false;
        return super.transferFrom(from, to, value);
    }
}

/// @notice The receiver side of {HookERC20}.
interface ITokenReceiver {
    function onTokenReceived(address from, uint256 amount) external returns (bytes4);
}

/// @notice An ERC-20 that calls its receiver back on every transfer to an account that asked for
/// it (ERC-777 / ERC-1363 style), which lets that receiver run code inside the token's transfer.
contract HookERC20 is ERC20 {
    mapping(address => bool) public hooked;

    constructor() ERC20("Hook", "HOOK") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setHooked(address account, bool value) external {
        hooked[account] = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        super._update(from, to, value);
        if (from != address(0) && hooked[to]) {
            require(ITokenReceiver(to).onTokenReceived(from, value) == ITokenReceiver.onTokenReceived.selector);
        }
    }
}
