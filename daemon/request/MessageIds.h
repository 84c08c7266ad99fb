#pragma once

// The journal's MESSAGE_ID for each outcome of a request, so that `journalctl MESSAGE_ID=...`
// finds them. Fixed forever: generated once with `systemd-id128 new`. KMODD_RESULT tells the
// error kind of a failure; KMODD_OPERATION the request.
namespace kmodd::messageId {

/// A load that inserted its module (and any dependencies).
inline constexpr const char* moduleLoaded = "f565bd0c0e414d959d73aa7a1f471aea";
/// A load that found its module already loaded or built in: nothing was done.
inline constexpr const char* moduleAlreadyLoaded = "a30ddbe9a73347e08fce7c1f0f871803";
inline constexpr const char* moduleUnloaded = "20af6f4521184f5ba5e9caca88e8ad1b";
inline constexpr const char* configReloaded = "c191e294171940b0bc17fb10dfa7e778";
/// Refused by the kmodd policy (allow/deny): NotAllowed.
inline constexpr const char* requestNotAllowed = "a20d738c81f44aa28934dbfd5ea42fe3";
/// Refused by polkit, or polkit could not be asked: NotAuthorized.
inline constexpr const char* requestNotAuthorized = "65505ec5aa6d4d6a9be9d383a2f47b94";
/// A module file failed a trust rule: Untrusted.
inline constexpr const char* moduleUntrusted = "e90dde3f33744ce7948a4f7eefeeaabd";
/// Any other error: the request, the module or the kernel.
inline constexpr const char* requestFailed = "3cf6c6a382de4c7db45be39fba06efc3";
/// A kernel operation has run for longer than requestLimit::stuckKernelOperation.
inline constexpr const char* kernelOperationStuck = "93bde620478c4f4ebae0fa8989e615b1";
/// "N more refusals from uid U suppressed": a caller's failed requests beyond the rate limit.
inline constexpr const char* refusalsSuppressed = "958d468a7e9e456b8e3d774c3b8d0cc7";

} // namespace kmodd::messageId
