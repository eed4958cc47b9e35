// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";

/// @notice Holds one agreement's params and, when called back, tries to drain the engine by
/// re-entering release, refund or withdraw. Records whether the re-entry succeeded.
abstract contract Reenterer {
    IAgreementEngine public engine;
    bytes32 public agreementId;
    bytes public params; // abi-encoded AgreementParams
    uint8 public mode; // 0 off, 1 releasePayment, 2 refundPayment, 3 withdraw, 4 lockPayment
    bool public reentered;
    bool public reentrySucceeded;
    bytes public reentryError;

    function arm(IAgreementEngine engine_, bytes32 id, IAgreementEngine.AgreementParams memory p, uint8 mode_)
        external
    {
        engine = engine_;
        agreementId = id;
        params = abi.encode(p);
        mode = mode_;
    }

    function _reenter() internal {
        if (mode == 0 || reentered) return;
        reentered = true;
        IAgreementEngine.AgreementParams memory p = abi.decode(params, (IAgreementEngine.AgreementParams));
        bytes memory call;
        if (mode == 1) call = abi.encodeCall(IAgreementEngine.releasePayment, (agreementId, p));
        else if (mode == 2) call = abi.encodeCall(IAgreementEngine.refundPayment, (agreementId, p));
        else if (mode == 3) call = abi.encodeCall(IAgreementEngine.withdraw, (address(0)));
        else call = abi.encodeCall(IAgreementEngine.lockPayment, (agreementId, p));
        (bool ok, bytes memory err) = address(engine).call(call);
        reentrySucceeded = ok;
        reentryError = err;
    }
}

/// @notice A payment receiver whose receive() re-enters the engine.
contract MaliciousReceiver is Reenterer {
    /// When true, receive() reverts after trying (so the engine must defer the payment).
    bool public revertAfter;

    function setRevertAfter(bool value) external {
        revertAfter = value;
    }

    function withdrawFrom(IAgreementEngine engine_) external {
        engine_.withdraw(address(0));
    }

    receive() external payable {
        _reenter();
        if (revertAfter) revert("no thanks");
    }
}

/// @notice An ERC-20 whose transfer and transferFrom re-enter the engine before moving tokens,
/// and propagate the re-entry's failure (so the outer call sees it).
contract MaliciousERC20 is ERC20, Reenterer {
    bool public bubble;

    constructor() ERC20("Evil", "EVIL") {}

    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    function setBubble(bool value) external {
        bubble = value;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0)) {
            _reenter();
            if (bubble && reentered && !reentrySucceeded) {
                bytes memory err = reentryError;
                assembly ("memory-safe") {
                    revert(add(err, 0x20), mload(err))
                }
            }
        }
        super._update(from, to, value);
    }
}
