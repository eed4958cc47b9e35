// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {IAgreementEngine} from "../../src/interfaces/IAgreementEngine.sol";

/// @notice Holds one agreement's params and, when called back, tries to drain the engine by
/// re-entering release, refund or withdraw. Records whether the re-entry succeeded.
/// @dev Built to fit the engine's push budget (PUSH_GAS) with cold storage, as a real attacker
/// would: the re-entry's calldata is kept as the code of a data contract (one cold EXTCODECOPY
/// instead of ~30 cold SLOADs) and the flags share one slot with the engine's address.
abstract contract Reenterer {
    IAgreementEngine public engine;
    uint8 public mode; // 0 off, 1 releasePayment, 2 refundPayment, 3 withdraw, 4 lockPayment
    bool public reentered;
    bool public reentrySucceeded;
    address private _callData; // a contract whose code is 0x00 ++ the re-entry's calldata
    bytes32 public agreementId;
    bytes public reentryError;

    function arm(IAgreementEngine engine_, bytes32 id, IAgreementEngine.AgreementParams memory p, uint8 mode_)
        external
    {
        engine = engine_;
        agreementId = id;
        mode = mode_;
        bytes memory call;
        if (mode_ == 1) call = abi.encodeCall(IAgreementEngine.releasePayment, (id, p));
        else if (mode_ == 2) call = abi.encodeCall(IAgreementEngine.refundPayment, (id, p));
        else if (mode_ == 3) call = abi.encodeCall(IAgreementEngine.withdraw, (address(0)));
        else call = abi.encodeCall(IAgreementEngine.lockPayment, (id, p));
        // init code: copy the runtime (0x00 ++ call) that follows this 12-byte header and return it
        bytes memory init = abi.encodePacked(hex"61", uint16(call.length + 1), hex"80600c6000396000f3", hex"00", call);
        address pointer;
        assembly {
            pointer := create(0, add(init, 0x20), mload(init))
        }
        require(pointer != address(0), "data contract");
        _callData = pointer;
    }

    function _reenter() internal {
        if (mode == 0 || reentered) return;
        reentered = true;
        address pointer = _callData;
        bytes memory data;
        assembly {
            let size := sub(extcodesize(pointer), 1)
            data := mload(0x40)
            mstore(data, size)
            extcodecopy(pointer, add(data, 0x20), 1, size)
            mstore(0x40, add(add(data, 0x20), and(add(size, 31), not(31))))
        }
        (bool ok, bytes memory err) = address(engine).call(data);
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
