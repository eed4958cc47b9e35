// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IAgreementEngine} from "./interfaces/IAgreementEngine.sol";
import {IAssetRegistry} from "./interfaces/IAssetRegistry.sol";

/// @title AgreementEngine
/// @notice Pactum's agreement engine and escrow vault: templates, agreements, every condition
/// type, and the ether/ERC-20 payments locked until access is fulfilled or aborted.
/// @dev One contract on purpose (see contracts/GAS.md): condition logic is a switch on the
/// condition type, the vault is this contract's own balance, and an agreement is one storage
/// slot. Not upgradeable, no admin.
///
/// Storage layout of an agreement (`_agreements[id]`):
///   bits 16..255  top 240 bits of keccak256(abi.encode(params))
///   bits  0..15   2 bits of ConditionState per condition i at bits 2i..2i+1
/// Layout of a template (`_templates[id]`):
///   bits   0..7    number of conditions n (1..8)
///   bits   8..71   type of condition i at 8 + 8i
///   bits  72..135  dependency bitmask of condition i at 72 + 8i
///   bits 136..163  (index + 1) of the condition of type t at 136 + 4t, 0 if absent
///
/// Invariants: a condition's state leaves Unfulfilled at most once; the vault holds, per token,
/// the sum over agreements whose lock is fulfilled and escrow unfulfilled of their price, plus
/// the deferred payments owed; a template with a lock has an escrow waiting on the lock and on
/// at least one other condition, each of which times out, so every locked payment has a way out.
contract AgreementEngine is IAgreementEngine, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The most conditions a template may have (2 state bits each in 16 bits).
    uint256 public constant MAX_CONDITIONS = 8;
    /// @notice The most receivers a payment may have.
    uint256 public constant MAX_RECEIVERS = 8;
    /// @notice The gas each push of a release or refund gives the receiver (ether) or the token
    /// (ERC-20) to accept it; a push that fails within it is deferred to {withdraw}. Enough for a
    /// smart wallet or a splitter, and small enough that eight hostile receivers cost a release
    /// under 1M gas: no receiver can make a release run out of gas.
    uint256 public constant PUSH_GAS = 100_000;
    /// @notice How far after the creating block a time lock or time out may be: two years.
    /// This bounds how long a price can stay locked; the client offers access time outs of at
    /// most a year, so the rest is room for clock skew and slower publishers.
    uint256 public constant TIME_HORIZON = 730 days;

    uint256 private constant _STATE_BITS = 16;
    uint256 private constant _HASH_MASK = ~uint256(0xFFFF);
    uint256 private constant _TYPE_SHIFT = 8;
    uint256 private constant _DEPS_SHIFT = 72;
    uint256 private constant _INDEX_SHIFT = 136;
    uint256 private constant _FULFILLED = uint256(ConditionState.Fulfilled);
    uint256 private constant _ABORTED = uint256(ConditionState.Aborted);
    /// @dev What must be left before a push for it to really get PUSH_GAS: the CALL's own cost
    /// (cold account 2,600, value 9,000, new account 25,000) and the 1/64 the EVM keeps back
    /// (EIP-150), with room to spare for the few opcodes between the check and the CALL.
    uint256 private constant _PUSH_GAS_NEEDED = PUSH_GAS + PUSH_GAS / 63 + 40_000;

    /// @notice The registry that says who provides and owns an asset.
    IAssetRegistry public immutable registry;

    mapping(bytes32 templateId => uint256 packed) private _templates;
    mapping(bytes32 agreementId => uint256 packed) private _agreements;
    mapping(bytes32 did => mapping(address account => bool)) private _allowList;
    mapping(address account => mapping(address token => uint256)) private _owed;

    /// @param registry_ the AssetRegistry this engine checks providers and owners against.
    constructor(IAssetRegistry registry_) {
        registry = registry_;
    }

    // ---------------------------------------------------------------- templates

    /// @inheritdoc IAgreementEngine
    function registerTemplate(ConditionType[] calldata types, uint8[] calldata dependencies)
        external
        nonReentrant
        returns (bytes32 templateId)
    {
        templateId = computeTemplateId(types, dependencies);
        if (_templates[templateId] != 0) revert TemplateAlreadyRegistered(templateId);
        _templates[templateId] = _packTemplate(types, dependencies);
        emit TemplateRegistered(templateId, types, dependencies);
    }

    function _packTemplate(ConditionType[] calldata types, uint8[] calldata dependencies)
        private
        pure
        returns (uint256 packed)
    {
        uint256 n = types.length;
        if (n == 0 || n > MAX_CONDITIONS) revert InvalidTemplateSize(n);
        if (dependencies.length != n) revert TemplateLengthMismatch(n, dependencies.length);
        packed = n;
        for (uint256 i = 0; i < n; ++i) {
            uint256 t = uint256(types[i]);
            uint256 deps = dependencies[i];
            // Only earlier conditions: the dependency graph is acyclic by construction.
            if (deps >> i != 0) revert InvalidDependency(i, dependencies[i]);
            if ((packed >> (_INDEX_SHIFT + 4 * t)) & 0xF != 0) revert DuplicateConditionType(types[i]);
            packed |= (t << (_TYPE_SHIFT + 8 * i)) | (deps << (_DEPS_SHIFT + 8 * i))
                | ((i + 1) << (_INDEX_SHIFT + 4 * t));
        }
        // A lock needs an escrow that waits on it and on something else, so the money can move.
        uint256 lock = _indexOf(packed, ConditionType.LockPayment);
        uint256 escrow = _indexOf(packed, ConditionType.EscrowPayment);
        if (lock != type(uint256).max || escrow != type(uint256).max) {
            if (escrow == type(uint256).max) revert InvalidTemplateWiring(lock, ConditionType.LockPayment);
            if (lock == type(uint256).max) revert InvalidTemplateWiring(escrow, ConditionType.EscrowPayment);
            uint256 escrowDeps = _deps(packed, escrow);
            if (escrowDeps & (1 << lock) == 0 || escrowDeps == 1 << lock) {
                revert InvalidTemplateWiring(escrow, ConditionType.EscrowPayment);
            }
        }
    }

    // ---------------------------------------------------------------- agreements

    /// @inheritdoc IAgreementEngine
    function createAgreement(bytes32 seed, AgreementParams calldata params)
        external
        nonReentrant
        returns (bytes32 agreementId)
    {
        uint256 packed;
        (agreementId, packed,) = _create(seed, params);
        _agreements[agreementId] = packed;
    }

    /// @inheritdoc IAgreementEngine
    function createAgreementAndLock(bytes32 seed, AgreementParams calldata params)
        external
        payable
        nonReentrant
        returns (bytes32 agreementId)
    {
        uint256 packed;
        uint256 template;
        (agreementId, packed, template) = _create(seed, params);
        uint256 index = _requireIndex(agreementId, template, ConditionType.LockPayment);
        packed = _fulfil(agreementId, params, packed, template, index);
        _agreements[agreementId] = packed;
        _collect(agreementId, params.payment);
    }

    /// @inheritdoc IAgreementEngine
    function lockPayment(bytes32 agreementId, AgreementParams calldata params) external payable nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.LockPayment);
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
        _collect(agreementId, params.payment);
    }

    /// @inheritdoc IAgreementEngine
    function fulfillAccess(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.Access);
        _checkProvider(params.did);
        _checkWindow(agreementId, params);
        _checkStillAllowListed(template, params);
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
    }

    /// @inheritdoc IAgreementEngine
    function fulfillCompute(bytes32 agreementId, AgreementParams calldata params, bytes32 resultHash)
        external
        nonReentrant
    {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.ComputeExecution);
        _checkProvider(params.did);
        _checkWindow(agreementId, params);
        _checkStillAllowListed(template, params);
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
        emit ComputeExecuted(agreementId, params.did, msg.sender, resultHash);
    }

    /// @inheritdoc IAgreementEngine
    function fulfillNftHolder(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.NftHolder);
        NftTerms calldata nft = params.nft;
        address consumer = params.consumer;
        if (nft.standard == NftStandard.ERC1155) {
            uint256 balance = IERC1155(nft.nft).balanceOf(consumer, nft.tokenId);
            if (balance < nft.amount) {
                revert InsufficientNftBalance(nft.nft, nft.tokenId, consumer, balance, nft.amount);
            }
        } else if (IERC721(nft.nft).ownerOf(nft.tokenId) != consumer) {
            revert InsufficientNftBalance(nft.nft, nft.tokenId, consumer, 0, 1);
        }
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
    }

    /// @inheritdoc IAgreementEngine
    function fulfillNftTransfer(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.NftTransfer);
        NftTerms calldata nft = params.nft;
        if (msg.sender != nft.seller) revert NotSeller(msg.sender, nft.seller);
        // Effects before the transfer, whose receiver hook may call back.
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
        if (nft.standard == NftStandard.ERC1155) {
            IERC1155(nft.nft).safeTransferFrom(nft.seller, params.consumer, nft.tokenId, nft.amount, "");
        } else {
            IERC721(nft.nft).safeTransferFrom(nft.seller, params.consumer, nft.tokenId);
        }
    }

    /// @inheritdoc IAgreementEngine
    function fulfillAllowList(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.AllowList);
        if (!_allowList[params.did][params.consumer]) revert NotAllowListed(params.did, params.consumer);
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);
    }

    /// @inheritdoc IAgreementEngine
    function releasePayment(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.EscrowPayment);
        // _fulfil checks every dependency (the lock and what gates it, e.g. access) is fulfilled.
        _agreements[agreementId] = _fulfil(agreementId, params, packed, template, index);

        Payment calldata payment = params.payment;
        uint256 total;
        uint256 n = payment.receivers.length;
        for (uint256 i = 0; i < n; ++i) {
            uint256 amount = payment.amounts[i];
            total += amount;
            _send(payment.token, payment.receivers[i], amount);
        }
        emit PaymentReleased(agreementId, payment.token, total);
    }

    /// @inheritdoc IAgreementEngine
    function refundPayment(bytes32 agreementId, AgreementParams calldata params) external nonReentrant {
        (uint256 packed, uint256 template, uint256 index) = _load(agreementId, params, ConditionType.EscrowPayment);
        uint256 state = _stateOf(packed, index);
        if (state != 0) revert ConditionNotUnfulfilled(agreementId, index, ConditionState(state));
        uint256 lock = _indexOf(template, ConditionType.LockPayment);
        if (_stateOf(packed, lock) != _FULFILLED) revert RefundNotAllowed(agreementId);
        // Refund only when a condition the escrow waits on, other than the lock, was aborted,
        // which abortCondition allows only after that condition's time out.
        uint256 gates = _deps(template, index) & ~(1 << lock);
        bool anyAborted;
        for (uint256 d = 0; gates >> d != 0; ++d) {
            if ((gates >> d) & 1 == 1 && _stateOf(packed, d) == _ABORTED) {
                anyAborted = true;
                break;
            }
        }
        if (!anyAborted) revert RefundNotAllowed(agreementId);
        _agreements[agreementId] = _setState(packed, index, _ABORTED);
        emit ConditionAborted(agreementId, index, ConditionType.EscrowPayment, msg.sender);

        Payment calldata payment = params.payment;
        uint256 total = _sum(payment.amounts);
        _send(payment.token, params.consumer, total);
        emit PaymentRefunded(agreementId, params.consumer, payment.token, total);
    }

    /// @inheritdoc IAgreementEngine
    function abortCondition(bytes32 agreementId, AgreementParams calldata params, uint256 index) external nonReentrant {
        uint256 packed = _checkedSlot(agreementId, params);
        uint256 template = _templates[params.templateId];
        uint256 n = template & 0xFF;
        if (index >= n || _typeOf(template, index) == ConditionType.EscrowPayment) {
            revert ConditionNotAbortable(agreementId, index, n);
        }
        uint256 state = _stateOf(packed, index);
        if (state != 0) revert ConditionNotUnfulfilled(agreementId, index, ConditionState(state));
        uint64 timeOut = params.timeOuts[index];
        if (timeOut == 0 || block.timestamp <= timeOut) revert ConditionNotTimedOut(agreementId, index, timeOut);
        _agreements[agreementId] = _setState(packed, index, _ABORTED);
        emit ConditionAborted(agreementId, index, _typeOf(template, index), msg.sender);
    }

    /// @inheritdoc IAgreementEngine
    function setAllowListed(bytes32 did, address account, bool allowed) external nonReentrant {
        if (registry.assetOwner(did) != msg.sender) revert NotAssetOwner(did, msg.sender);
        _allowList[did][account] = allowed;
        emit AllowListUpdated(did, account, allowed);
    }

    /// @inheritdoc IAgreementEngine
    function withdraw(address token) external nonReentrant {
        _withdraw(msg.sender, token);
    }

    /// @inheritdoc IAgreementEngine
    function withdrawFor(address account, address token) external nonReentrant {
        _withdraw(account, token);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IAgreementEngine
    function computeAgreementId(bytes32 seed, address creator) public pure returns (bytes32) {
        return keccak256(abi.encode(seed, creator));
    }

    /// @inheritdoc IAgreementEngine
    function computeTemplateId(ConditionType[] calldata types, uint8[] calldata dependencies)
        public
        pure
        returns (bytes32)
    {
        return keccak256(abi.encode(types, dependencies));
    }

    /// @inheritdoc IAgreementEngine
    function getTemplate(bytes32 templateId)
        external
        view
        returns (ConditionType[] memory types, uint8[] memory dependencies)
    {
        uint256 template = _templates[templateId];
        if (template == 0) revert UnknownTemplate(templateId);
        uint256 n = template & 0xFF;
        types = new ConditionType[](n);
        dependencies = new uint8[](n);
        for (uint256 i = 0; i < n; ++i) {
            types[i] = _typeOf(template, i);
            dependencies[i] = uint8(_deps(template, i));
        }
    }

    /// @inheritdoc IAgreementEngine
    function agreementExists(bytes32 agreementId) external view returns (bool) {
        return _agreements[agreementId] != 0;
    }

    /// @inheritdoc IAgreementEngine
    function getConditionState(bytes32 agreementId, uint256 index) external view returns (ConditionState) {
        if (index >= MAX_CONDITIONS) return ConditionState.Unfulfilled;
        return ConditionState(_stateOf(_agreements[agreementId], index));
    }

    /// @inheritdoc IAgreementEngine
    function checkParams(bytes32 agreementId, AgreementParams calldata params) public view returns (bool) {
        uint256 packed = _agreements[agreementId];
        return packed != 0 && (packed ^ uint256(_hashParams(params))) & _HASH_MASK == 0;
    }

    /// @inheritdoc IAgreementEngine
    function hasAccess(bytes32 agreementId, AgreementParams calldata params) external view returns (bool) {
        if (!checkParams(agreementId, params)) return false;
        uint256 template = _templates[params.templateId];
        uint256 index = _indexOf(template, ConditionType.Access);
        if (index == type(uint256).max) return false;
        if (_stateOf(_agreements[agreementId], index) != _FULFILLED) return false;
        if (block.timestamp < params.validFrom || (params.validUntil != 0 && block.timestamp > params.validUntil)) {
            return false;
        }
        // Allow-listed access follows the list: once the owner removed the consumer, it is gone.
        if (
            _indexOf(template, ConditionType.AllowList) != type(uint256).max && !_allowList[params.did][params.consumer]
        ) {
            return false;
        }
        // NFT-gated access follows the NFT: once the consumer sold it, the grant no longer holds.
        if (_indexOf(template, ConditionType.NftHolder) != type(uint256).max) return _holdsNft(params);
        return true;
    }

    /// @inheritdoc IAgreementEngine
    function isAllowListed(bytes32 did, address account) external view returns (bool) {
        return _allowList[did][account];
    }

    /// @inheritdoc IAgreementEngine
    function owed(address account, address token) external view returns (uint256) {
        return _owed[account][token];
    }

    // ---------------------------------------------------------------- internals

    function _holdsNft(AgreementParams calldata params) private view returns (bool) {
        NftTerms calldata nft = params.nft;
        if (nft.standard == NftStandard.ERC1155) {
            return IERC1155(nft.nft).balanceOf(params.consumer, nft.tokenId) >= nft.amount;
        }
        try IERC721(nft.nft).ownerOf(nft.tokenId) returns (address owner) {
            return owner == params.consumer;
        } catch {
            return false; // burnt
        }
    }

    /// @dev Validates `params` against their template and returns the new id and its slot value
    /// (all conditions Unfulfilled). The caller stores it.
    function _create(bytes32 seed, AgreementParams calldata params)
        private
        returns (bytes32 agreementId, uint256 packed, uint256 template)
    {
        agreementId = computeAgreementId(seed, msg.sender);
        if (_agreements[agreementId] != 0) revert AgreementAlreadyExists(agreementId);
        template = _templates[params.templateId];
        if (template == 0) revert UnknownTemplate(params.templateId);
        if (params.consumer == address(0)) revert InvalidConsumer(params.consumer);
        if (params.validUntil != 0 && params.validUntil < params.validFrom) {
            revert InvalidValidityWindow(params.validFrom, params.validUntil);
        }
        _checkTimes(template, params);
        if (_indexOf(template, ConditionType.LockPayment) != type(uint256).max) _checkPayment(params.payment);
        _checkNft(template, params.nft);
        if (_indexOf(template, ConditionType.NftTransfer) != type(uint256).max) {
            _checkRoyalty(params.nft, params.payment);
        }

        packed = uint256(_hashParams(params)) & _HASH_MASK;
        emit AgreementCreated(agreementId, params.did, params.consumer, msg.sender, params);
    }

    function _checkTimes(uint256 template, AgreementParams calldata params) private view {
        uint256 n = template & 0xFF;
        uint64[] calldata locks = params.timeLocks;
        uint64[] calldata outs = params.timeOuts;
        if (locks.length != n || outs.length != n) revert ConditionTimesLengthMismatch(n, locks.length, outs.length);
        uint256 escrow = _indexOf(template, ConditionType.EscrowPayment);
        uint256 gates = escrow == type(uint256).max
            ? 0
            : _deps(template, escrow) & ~(1 << _indexOf(template, ConditionType.LockPayment));
        uint64 escrowLock = escrow == type(uint256).max ? 0 : locks[escrow];
        uint256 latest = block.timestamp + TIME_HORIZON;
        if (escrowLock > latest) revert ConditionTimeBeyondHorizon(escrow, escrowLock, latest);
        for (uint256 i = 0; i < n; ++i) {
            uint64 timeLock = locks[i];
            uint64 timeOut = outs[i];
            if (timeLock > latest || timeOut > latest) {
                revert ConditionTimeBeyondHorizon(i, timeLock > latest ? timeLock : timeOut, latest);
            }
            if (timeOut != 0 && timeLock >= timeOut) revert InvalidConditionTimes(i, timeLock, timeOut);
            if (i == escrow) {
                // The escrow never times out: it ends by release or refund.
                if (timeOut != 0) revert InvalidConditionTimes(i, timeLock, timeOut);
            } else if ((gates >> i) & 1 == 1) {
                // What it waits on must time out, or a locked payment could stay locked forever,
                // and the release may not wait past that: after it, release or refund is open.
                if (timeOut == 0) revert InvalidConditionTimes(i, timeLock, timeOut);
                if (escrowLock > timeOut) revert EscrowLockedPastTimeOut(escrow, escrowLock, i, timeOut);
            }
        }
    }

    function _checkPayment(Payment calldata payment) private pure {
        uint256 n = payment.receivers.length;
        if (n == 0 || n > MAX_RECEIVERS || payment.amounts.length != n) {
            revert InvalidPaymentTerms(n, payment.amounts.length);
        }
        for (uint256 i = 0; i < n; ++i) {
            if (payment.receivers[i] == address(0)) revert InvalidReceiver(i);
        }
        _sum(payment.amounts); // reverts (Panic 0x11) if the price overflows
    }

    function _checkNft(uint256 template, NftTerms calldata nft) private pure {
        bool holder = _indexOf(template, ConditionType.NftHolder) != type(uint256).max;
        bool transfer = _indexOf(template, ConditionType.NftTransfer) != type(uint256).max;
        if (!holder && !transfer) return;
        bool bad = nft.nft == address(0) || (nft.standard == NftStandard.ERC1155 && nft.amount == 0);
        if (transfer && nft.seller == address(0)) bad = true;
        if (bad) revert InvalidNftTerms(nft.nft, nft.seller, nft.amount);
    }

    /// @dev A sale of an ERC-2981 token must pay its royalty receiver at least the royalty on
    /// the price. Tokens without ERC-2981 (the call fails or returns too little) are not checked.
    function _checkRoyalty(NftTerms calldata nft, Payment calldata payment) private view {
        uint256 price = _sum(payment.amounts);
        (bool ok, bytes memory ret) = nft.nft.staticcall(abi.encodeCall(IERC2981.royaltyInfo, (nft.tokenId, price)));
        if (!ok || ret.length < 64) return;
        (address receiver, uint256 royalty) = abi.decode(ret, (address, uint256));
        if (royalty == 0) return;
        uint256 paid;
        for (uint256 i = 0; i < payment.receivers.length; ++i) {
            if (payment.receivers[i] == receiver) paid += payment.amounts[i];
        }
        if (paid < royalty) revert RoyaltyNotPaid(receiver, royalty, paid);
    }

    /// @dev Loads agreement `agreementId`, checks `params` against it and finds the condition.
    function _load(bytes32 agreementId, AgreementParams calldata params, ConditionType conditionType)
        private
        view
        returns (uint256 packed, uint256 template, uint256 index)
    {
        packed = _checkedSlot(agreementId, params);
        template = _templates[params.templateId];
        index = _requireIndex(agreementId, template, conditionType);
    }

    function _checkedSlot(bytes32 agreementId, AgreementParams calldata params) private view returns (uint256 packed) {
        packed = _agreements[agreementId];
        if (packed == 0) revert AgreementNotFound(agreementId);
        if ((packed ^ uint256(_hashParams(params))) & _HASH_MASK != 0) revert AgreementParamsMismatch(agreementId);
    }

    function _requireIndex(bytes32 agreementId, uint256 template, ConditionType conditionType)
        private
        pure
        returns (uint256 index)
    {
        index = _indexOf(template, conditionType);
        if (index == type(uint256).max) revert ConditionNotInTemplate(agreementId, conditionType);
    }

    /// @dev The common checks of every fulfilment; returns the slot with condition `index` Fulfilled
    /// and emits ConditionFulfilled. The escrow's time out is always 0, so release never times out.
    function _fulfil(
        bytes32 agreementId,
        AgreementParams calldata params,
        uint256 packed,
        uint256 template,
        uint256 index
    ) private returns (uint256) {
        uint256 state = _stateOf(packed, index);
        if (state != 0) revert ConditionNotUnfulfilled(agreementId, index, ConditionState(state));
        uint256 deps = _deps(template, index);
        for (uint256 d = 0; deps >> d != 0; ++d) {
            if ((deps >> d) & 1 == 1 && _stateOf(packed, d) != _FULFILLED) {
                revert DependencyNotFulfilled(agreementId, index, d);
            }
        }
        uint64 timeLock = params.timeLocks[index];
        if (block.timestamp < timeLock) revert ConditionTimeLocked(agreementId, index, timeLock);
        uint64 timeOut = params.timeOuts[index];
        if (timeOut != 0 && block.timestamp > timeOut) revert ConditionTimedOut(agreementId, index, timeOut);
        emit ConditionFulfilled(agreementId, index, _typeOf(template, index), msg.sender);
        return _setState(packed, index, _FULFILLED);
    }

    /// @dev Takes the price into the vault. Runs after the lock's state is written.
    function _collect(bytes32 agreementId, Payment calldata payment) private {
        uint256 price = _sum(payment.amounts);
        address token = payment.token;
        if (token == address(0)) {
            if (msg.value != price) revert IncorrectPaymentValue(price, msg.value);
        } else {
            if (msg.value != 0) revert IncorrectPaymentValue(0, msg.value);
            uint256 before = IERC20(token).balanceOf(address(this));
            IERC20(token).safeTransferFrom(msg.sender, address(this), price);
            uint256 received = IERC20(token).balanceOf(address(this)) - before;
            if (received != price) revert PaymentTokenShortfall(token, price, received);
        }
        emit PaymentLocked(agreementId, msg.sender, token, price);
    }

    /// @dev Pushes a payment with PUSH_GAS; if the receiver (or the token) refuses it or cannot
    /// take it within that gas, records it as owed instead, so that one receiver cannot block
    /// the others or the refund. A caller must not be able to pick a gas limit that makes an
    /// honest receiver's push fail and be deferred: EIP-150 already prevents it (a push that got
    /// less than PUSH_GAS leaves us under 1,600 gas, too little to record a deferral, so the call
    /// reverts), and this check makes it not depend on storage prices and tells a node to retry
    /// with more gas ({InsufficientGasForPush}) instead of failing out of gas.
    function _send(address token, address to, uint256 amount) private {
        if (amount == 0) return;
        uint256 left = gasleft();
        if (left < _PUSH_GAS_NEEDED) revert InsufficientGasForPush(left, _PUSH_GAS_NEEDED);
        bool ok = _push(token, to, amount, PUSH_GAS);
        if (!ok) {
            _owed[to][token] += amount;
            emit PaymentDeferred(to, token, amount);
        }
    }

    /// @dev Pays what is owed to `account`, with all the gas the caller gave: whoever asks for
    /// a pull pays for it, and can only make it fail (it then reverts, and stays owed).
    function _withdraw(address account, address token) private {
        uint256 amount = _owed[account][token];
        if (amount == 0) revert NothingToWithdraw(account, token);
        _owed[account][token] = 0;
        if (!_push(token, account, amount, gasleft())) revert WithdrawalFailed(account, token, amount);
        emit Withdrawn(account, token, amount);
    }

    /// @dev Sends `amount` of `token` (zero = ether) to `to`, giving the callee at most `gasLimit`,
    /// and never copies more than 32 bytes of what it returns. Solidity's `to.call{value: v}("")`
    /// copies all of the callee's return data into memory, even into `(bool ok,)`, so a callee
    /// that reverts with megabytes of it makes the caller pay the memory expansion out of the
    /// 1/64 of gas it kept, and run out: a "return bomb". With an output size of 0 (ether) or 32
    /// (the ERC-20 bool) the return data stays in the callee's buffer at no cost to us.
    function _push(address token, address to, uint256 amount, uint256 gasLimit) private returns (bool ok) {
        if (token == address(0)) {
            assembly ("memory-safe") {
                ok := call(gasLimit, to, amount, 0, 0, 0, 0)
            }
            return ok;
        }
        bytes memory data = abi.encodeCall(IERC20.transfer, (to, amount));
        uint256 returned;
        uint256 word;
        assembly ("memory-safe") {
            ok := call(gasLimit, token, 0, add(data, 0x20), mload(data), 0, 0x20)
            returned := returndatasize()
            word := mload(0)
        }
        // As SafeERC20.trySafeTransfer: no return data counts only from a contract; a bool must be true.
        return ok && (returned == 0 ? token.code.length > 0 : returned >= 32 && word == 1);
    }

    /// @dev An AllowList condition is fulfilled once, but the list can change after: access (or a
    /// compute job) is granted only to a consumer still on it, so a removal also reaches the
    /// agreements already past their AllowList condition.
    function _checkStillAllowListed(uint256 template, AgreementParams calldata params) private view {
        if (_indexOf(template, ConditionType.AllowList) == type(uint256).max) return;
        if (!_allowList[params.did][params.consumer]) revert NotAllowListed(params.did, params.consumer);
    }

    function _checkProvider(bytes32 did) private view {
        if (!registry.isProvider(did, msg.sender)) revert NotProvider(did, msg.sender);
    }

    function _checkWindow(bytes32 agreementId, AgreementParams calldata params) private view {
        uint64 validFrom = params.validFrom;
        uint64 validUntil = params.validUntil;
        if (block.timestamp < validFrom || (validUntil != 0 && block.timestamp > validUntil)) {
            revert OutsideValidityWindow(agreementId, validFrom, validUntil);
        }
    }

    function _hashParams(AgreementParams calldata params) private pure returns (bytes32) {
        return keccak256(abi.encode(params));
    }

    function _sum(uint256[] calldata amounts) private pure returns (uint256 total) {
        for (uint256 i = 0; i < amounts.length; ++i) {
            total += amounts[i];
        }
    }

    function _stateOf(uint256 packed, uint256 index) private pure returns (uint256) {
        return (packed >> (2 * index)) & 3;
    }

    function _setState(uint256 packed, uint256 index, uint256 state) private pure returns (uint256) {
        return (packed & ~(uint256(3) << (2 * index))) | (state << (2 * index));
    }

    function _typeOf(uint256 template, uint256 index) private pure returns (ConditionType) {
        return ConditionType(uint8(template >> (_TYPE_SHIFT + 8 * index)));
    }

    function _deps(uint256 template, uint256 index) private pure returns (uint256) {
        return (template >> (_DEPS_SHIFT + 8 * index)) & 0xFF;
    }

    /// @dev The index of the `conditionType` condition, or type(uint256).max if there is none.
    function _indexOf(uint256 template, ConditionType conditionType) private pure returns (uint256) {
        uint256 slot = (template >> (_INDEX_SHIFT + 4 * uint256(conditionType))) & 0xF;
        unchecked {
            // slot is index + 1, or 0 for absent: 0 - 1 wraps to the "absent" marker on purpose.
            return slot - 1;
        }
    }
}
