#pragma once

// The journal's MESSAGE_ID for each outcome of a request, so that `journalctl MESSAGE_ID=...`
// finds them. Fixed forever: generated once with `systemd-id128 new`.
namespace kmodd::messageId {

inline constexpr const char* moduleLoaded = "f565bd0c0e414d959d73aa7a1f471aea";
inline constexpr const char* moduleUnloaded = "20af6f4521184f5ba5e9caca88e8ad1b";
inline constexpr const char* configReloaded = "c191e294171940b0bc17fb10dfa7e778";
inline constexpr const char* requestRefused = "a20d738c81f44aa28934dbfd5ea42fe3";
inline constexpr const char* requestFailed = "3cf6c6a382de4c7db45be39fba06efc3";

} // namespace kmodd::messageId
