// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IAgreementEngine
/// @notice Templates of conditions, agreements that instantiate them for an asset, and the escrow
/// vault that holds locked payments until access is fulfilled (paid out) or aborted (refunded).
/// @dev Storage per agreement is one slot: the top 240 bits of `keccak256(abi.encode(params))`
/// and 2 bits of state per condition. Every call that acts on an agreement passes its
/// {AgreementParams} again (as emitted in {AgreementCreated}); the engine checks them against
/// the stored hash. Each template holds at most one condition of each type, so functions name
/// the condition by its type.
interface IAgreementEngine {
    /// @notice What a condition checks.
    /// - LockPayment: the price is paid into the escrow vault (ether or an ERC-20).
    /// - Access: a provider of the asset grants the consumer access.
    /// - EscrowPayment: pays the receivers once all its dependencies are fulfilled, or refunds the
    ///   consumer once a dependency other than the lock is aborted.
    /// - NftHolder: the consumer holds enough of an NFT.
    /// - NftTransfer: the seller transfers an NFT to the consumer (a sale).
    /// - AllowList: the consumer is on the asset owner's allow-list.
    /// - ComputeExecution: a provider ran the consumer's job on the asset.
    enum ConditionType {
        LockPayment,
        Access,
        EscrowPayment,
        NftHolder,
        NftTransfer,
        AllowList,
        ComputeExecution
    }

    /// @notice Unfulfilled moves to Fulfilled or Aborted, and never back.
    enum ConditionState {
        Unfulfilled,
        Fulfilled,
        Aborted
    }

    /// @notice Which NFT standard `NftTerms.nft` implements.
    enum NftStandard {
        ERC1155,
        ERC721
    }

    /// @notice The price: `token` (zero address = ether) paid to `receivers[i]` in `amounts[i]`;
    /// the price is the sum of the amounts.
    struct Payment {
        address token;
        address[] receivers;
        uint256[] amounts;
    }

    /// @notice The NFT for NftHolder (consumer holds >= `amount` of `tokenId`; ERC-721: owns it)
    /// and NftTransfer (`seller` transfers `amount` of `tokenId` to the consumer).
    struct NftTerms {
        address nft;
        NftStandard standard;
        uint256 tokenId;
        uint256 amount;
        address seller;
    }

    /// @notice Everything an agreement is. `timeLocks[i]` / `timeOuts[i]` are absolute unix times
    /// for condition i: not fulfillable before its time lock; after its time out (0 = never) it
    /// can no longer be fulfilled and anyone may abort it. Access is valid in
    /// [`validFrom`, `validUntil`] (`validUntil` 0 = no end) for the declared `purpose`.
    /// At creation: every time lock and time out is at most the block's time + TIME_HORIZON; a
    /// time lock is before its time out; the escrow has no time out, each other condition it
    /// waits on (the gates) has one, and the escrow's time lock is at most each gate's time out.
    /// So once every time out has passed, a locked price can always be released or refunded.
    struct AgreementParams {
        bytes32 templateId;
        bytes32 did;
        address consumer;
        bytes32 purpose;
        uint64 validFrom;
        uint64 validUntil;
        uint64[] timeLocks;
        uint64[] timeOuts;
        Payment payment;
        NftTerms nft;
    }

    /// @notice A template needs 1 to 8 conditions; it had `size`.
    error InvalidTemplateSize(uint256 size);
    /// @notice `types` and `dependencies` differ in length.
    error TemplateLengthMismatch(uint256 types, uint256 dependencies);
    /// @notice A template holds each condition type at most once.
    error DuplicateConditionType(ConditionType conditionType);
    /// @notice Condition `index` may only depend on earlier conditions (bit i = condition i).
    error InvalidDependency(uint256 index, uint8 dependencies);
    /// @notice The escrow wiring is unsafe at condition `index`: a lock needs an escrow, an escrow
    /// needs the lock and at least one other condition among its dependencies.
    error InvalidTemplateWiring(uint256 index, ConditionType conditionType);
    /// @notice `templateId` is registered already.
    error TemplateAlreadyRegistered(bytes32 templateId);
    /// @notice `templateId` is not registered.
    error UnknownTemplate(bytes32 templateId);

    /// @notice An agreement `agreementId` exists already.
    error AgreementAlreadyExists(bytes32 agreementId);
    /// @notice No agreement `agreementId`.
    error AgreementNotFound(bytes32 agreementId);
    /// @notice The params given do not hash to those agreement `agreementId` was created with.
    error AgreementParamsMismatch(bytes32 agreementId);
    /// @notice The consumer cannot be the zero address.
    error InvalidConsumer(address consumer);
    /// @notice `validUntil` is before `validFrom`.
    error InvalidValidityWindow(uint64 validFrom, uint64 validUntil);
    /// @notice The template has `expected` conditions; `timeLocks` / `timeOuts` had other lengths.
    error ConditionTimesLengthMismatch(uint256 expected, uint256 timeLocks, uint256 timeOuts);
    /// @notice Condition `index` has a time lock not before its time out, an escrow with a time out,
    /// or a condition the escrow waits on without a time out (its payment could never come back).
    error InvalidConditionTimes(uint256 index, uint64 timeLock, uint64 timeOut);
    /// @notice Condition `index` has a time lock or time out `time` later than `latest`, the
    /// creating block's time plus TIME_HORIZON.
    error ConditionTimeBeyondHorizon(uint256 index, uint64 time, uint256 latest);
    /// @notice The escrow (condition `index`) is time-locked until `timeLock`, after the time out
    /// `gateTimeOut` of condition `gate` it waits on: the price would stay locked after it.
    error EscrowLockedPastTimeOut(uint256 index, uint64 timeLock, uint256 gate, uint64 gateTimeOut);
    /// @notice Receivers and amounts must be as many, between 1 and 8.
    error InvalidPaymentTerms(uint256 receivers, uint256 amounts);
    /// @notice Receiver `index` is the zero address.
    error InvalidReceiver(uint256 index);
    /// @notice The NFT terms are incomplete for the template's NFT conditions.
    error InvalidNftTerms(address nft, address seller, uint256 amount);

    /// @notice An NFT sale must pay the token's ERC-2981 royalty: `receiver` is owed `required`
    /// of the price and the payment gives it `paid`.
    /// @dev The royalty is on the price the engine escrows. A sale at price 0 (or at a price
    /// whose royalty rounds to 0) owes none, and is allowed on purpose: the engine cannot see a
    /// price paid outside it, and refusing 0 would not make the royalty binding, because the
    /// seller can move the token itself with the token's own transfer (ERC-2981 is a request to
    /// marketplaces, not enforced by the token). What the engine guarantees is narrower: a sale
    /// whose price it holds pays the royalty on that price.
    error RoyaltyNotPaid(address receiver, uint256 required, uint256 paid);

    /// @notice The agreement's template has no `conditionType` condition.
    error ConditionNotInTemplate(bytes32 agreementId, ConditionType conditionType);
    /// @notice Condition `index` is `state`, not Unfulfilled.
    error ConditionNotUnfulfilled(bytes32 agreementId, uint256 index, ConditionState state);
    /// @notice Condition `index` waits on condition `dependency`, which is not fulfilled.
    error DependencyNotFulfilled(bytes32 agreementId, uint256 index, uint256 dependency);
    /// @notice Condition `index` cannot be fulfilled before `timeLock`.
    error ConditionTimeLocked(bytes32 agreementId, uint256 index, uint64 timeLock);
    /// @notice Condition `index` timed out at `timeOut`.
    error ConditionTimedOut(bytes32 agreementId, uint256 index, uint64 timeOut);
    /// @notice Condition `index` has not timed out (`timeOut`, 0 = never) and cannot be aborted.
    error ConditionNotTimedOut(bytes32 agreementId, uint256 index, uint64 timeOut);
    /// @notice Condition `index` does not exist in a template of `count` conditions, or is the
    /// escrow, which ends only by release or refund.
    error ConditionNotAbortable(bytes32 agreementId, uint256 index, uint256 count);
    /// @notice `caller` is not a provider of `did`.
    error NotProvider(bytes32 did, address caller);
    /// @notice Access cannot be granted outside [`validFrom`, `validUntil`].
    error OutsideValidityWindow(bytes32 agreementId, uint64 validFrom, uint64 validUntil);
    /// @notice An ether lock must send exactly the price `expected`; `received` came.
    error IncorrectPaymentValue(uint256 expected, uint256 received);
    /// @notice The vault received `received` of `token` instead of `expected` (fee-on-transfer?).
    error PaymentTokenShortfall(address token, uint256 expected, uint256 received);
    /// @notice A refund needs the lock fulfilled and a condition the escrow waits on aborted.
    error RefundNotAllowed(bytes32 agreementId);
    /// @notice `consumer` is not on the allow-list of `did`.
    error NotAllowListed(bytes32 did, address consumer);
    /// @notice `holder` has `balance` of `tokenId` in `nft`, fewer than `required`.
    error InsufficientNftBalance(address nft, uint256 tokenId, address holder, uint256 balance, uint256 required);
    /// @notice Only the seller `seller` may transfer the NFT of a sale; `caller` tried.
    error NotSeller(address caller, address seller);
    /// @notice Only the owner of `did` may change its allow-list.
    error NotAssetOwner(bytes32 did, address caller);
    /// @notice `account` has nothing owed in `token`.
    error NothingToWithdraw(address account, address token);
    /// @notice Sending `amount` of `token` to `account` failed.
    error WithdrawalFailed(address account, address token, uint256 amount);
    /// @notice A release or refund push needs `needed` gas left so that the receiver really gets
    /// PUSH_GAS; `gasLeft` was left. Retry with a higher gas limit.
    error InsufficientGasForPush(uint256 gasLeft, uint256 needed);

    /// @notice A template was registered.
    event TemplateRegistered(bytes32 indexed templateId, ConditionType[] types, uint8[] dependencies);
    /// @notice Agreement `agreementId` was created by `creator` with `params`.
    event AgreementCreated(
        bytes32 indexed agreementId,
        bytes32 indexed did,
        address indexed consumer,
        address creator,
        AgreementParams params
    );
    /// @notice Condition `index` of `agreementId` became Fulfilled, by `by`.
    event ConditionFulfilled(
        bytes32 indexed agreementId, uint256 indexed index, ConditionType conditionType, address by
    );
    /// @notice Condition `index` of `agreementId` became Aborted, by `by`.
    event ConditionAborted(bytes32 indexed agreementId, uint256 indexed index, ConditionType conditionType, address by);
    /// @notice `payer` locked `amount` of `token` (zero = ether) in the vault for `agreementId`.
    event PaymentLocked(bytes32 indexed agreementId, address indexed payer, address token, uint256 amount);
    /// @notice The vault paid the receivers of `agreementId` `amount` of `token` in total.
    event PaymentReleased(bytes32 indexed agreementId, address token, uint256 amount);
    /// @notice The vault refunded `amount` of `token` to `consumer` of `agreementId`.
    event PaymentRefunded(bytes32 indexed agreementId, address indexed consumer, address token, uint256 amount);
    /// @notice A push to `account` failed; `amount` of `token` waits for {withdraw}.
    event PaymentDeferred(address indexed account, address indexed token, uint256 amount);
    /// @notice `account` withdrew `amount` of `token` owed to it.
    event Withdrawn(address indexed account, address indexed token, uint256 amount);
    /// @notice A provider ran a job for `agreementId`; `resultHash` identifies its output.
    event ComputeExecuted(
        bytes32 indexed agreementId, bytes32 indexed did, address indexed provider, bytes32 resultHash
    );
    /// @notice The owner of `did` put `account` on (`allowed`) or off its allow-list.
    event AllowListUpdated(bytes32 indexed did, address indexed account, bool allowed);

    /// @notice Registers a template. Anyone may; a template is only a shape, and the id is its content hash.
    /// @param types the condition types, at most one of each, 1 to 8.
    /// @param dependencies per condition, a bitmask of the earlier conditions it waits on.
    /// @return templateId `keccak256(abi.encode(types, dependencies))`.
    function registerTemplate(ConditionType[] calldata types, uint8[] calldata dependencies)
        external
        returns (bytes32 templateId);

    /// @notice Creates an agreement; its id is `keccak256(abi.encode(seed, msg.sender))`.
    /// @return agreementId the new agreement's id.
    function createAgreement(bytes32 seed, AgreementParams calldata params) external returns (bytes32 agreementId);

    /// @notice Creates an agreement and fulfils its LockPayment in the same call (ether: send the
    /// price as value; ERC-20: approve the engine for the price first).
    function createAgreementAndLock(bytes32 seed, AgreementParams calldata params)
        external
        payable
        returns (bytes32 agreementId);

    /// @notice Fulfils LockPayment: moves the price into the vault. Anyone may pay.
    function lockPayment(bytes32 agreementId, AgreementParams calldata params) external payable;

    /// @notice Fulfils Access. Only a provider of the asset, after the dependencies (e.g. the
    /// lock), within the time lock/time out and the validity window, and, if the template has an
    /// AllowList condition, only while the consumer is still on the allow-list.
    function fulfillAccess(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Fulfils ComputeExecution. Only a provider of the asset, after the dependencies,
    /// within the times and the validity window, and only for a consumer still allow-listed
    /// (if the template has an AllowList condition).
    /// @param resultHash identifies the job's output (e.g. the output asset's checksum).
    function fulfillCompute(bytes32 agreementId, AgreementParams calldata params, bytes32 resultHash) external;

    /// @notice Fulfils NftHolder if the consumer holds the NFT. Anyone may call.
    function fulfillNftHolder(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Fulfils NftTransfer by transferring the NFT from the seller to the consumer. Only the
    /// seller, who must have approved the engine as operator.
    function fulfillNftTransfer(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Fulfils AllowList if the consumer is on the asset's allow-list. Anyone may call.
    function fulfillAllowList(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Fulfils EscrowPayment: pays every receiver its amount. Anyone may call, once all of
    /// the escrow's dependencies are fulfilled.
    /// @dev Each receiver gets one push with PUSH_GAS (ether) or one token transfer with PUSH_GAS;
    /// a push that fails (refused, out of its gas, a token answering false) is deferred to the
    /// receiver's pull balance ({PaymentDeferred}, {owed}), so whatever one receiver does the
    /// others are paid and the release succeeds. Reverts {InsufficientGasForPush} rather than
    /// push with less than PUSH_GAS.
    function releasePayment(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Aborts EscrowPayment: refunds the price to the consumer. Anyone may call, once the
    /// lock is fulfilled and another condition the escrow waits on was aborted.
    /// @dev Pushed like a release: a consumer that refuses gets the refund as a pull balance.
    function refundPayment(bytes32 agreementId, AgreementParams calldata params) external;

    /// @notice Aborts condition `index` after its time out. Anyone may call; not the escrow.
    function abortCondition(bytes32 agreementId, AgreementParams calldata params, uint256 index) external;

    /// @notice Puts `account` on or off the allow-list of `did`. Only the asset's owner.
    function setAllowListed(bytes32 did, address account, bool allowed) external;

    /// @notice Sends the caller what failed to reach it earlier (see {PaymentDeferred}), with all
    /// the gas of the call; reverts {WithdrawalFailed} (and it stays owed) if the push fails.
    function withdraw(address token) external;

    /// @notice Sends `account` what failed to reach it earlier, like {withdraw} but callable by
    /// anyone: the money goes only to `account`, so a receiver that cannot call the engine itself
    /// (an immutable splitter, a paused contract once unpaused) is still reachable.
    function withdrawFor(address account, address token) external;

    /// @notice The id `createAgreement(seed, ...)` called by `creator` creates.
    function computeAgreementId(bytes32 seed, address creator) external pure returns (bytes32);

    /// @notice The id `registerTemplate(types, dependencies)` returns.
    function computeTemplateId(ConditionType[] calldata types, uint8[] calldata dependencies)
        external
        pure
        returns (bytes32);

    /// @notice The conditions of a registered template.
    function getTemplate(bytes32 templateId)
        external
        view
        returns (ConditionType[] memory types, uint8[] memory dependencies);

    /// @notice Whether agreement `agreementId` exists.
    function agreementExists(bytes32 agreementId) external view returns (bool);

    /// @notice State of condition `index` of `agreementId` (Unfulfilled if either does not exist).
    function getConditionState(bytes32 agreementId, uint256 index) external view returns (ConditionState);

    /// @notice Whether `params` are those `agreementId` was created with.
    function checkParams(bytes32 agreementId, AgreementParams calldata params) external view returns (bool);

    /// @notice Whether the consumer of `agreementId` may access the asset now: Access fulfilled,
    /// now within the validity window, for allow-listed templates the consumer is still on the
    /// list, and for NFT-gated templates the consumer still holds the NFT (so selling it moves the
    /// access to the buyer's own agreement). False for wrong params.
    function hasAccess(bytes32 agreementId, AgreementParams calldata params) external view returns (bool);

    /// @notice Whether `account` is on the allow-list of `did`.
    function isAllowListed(bytes32 did, address account) external view returns (bool);

    /// @notice What {withdraw} would send `account` in `token`.
    function owed(address account, address token) external view returns (uint256);
}
