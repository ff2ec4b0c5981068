import BetterI18nCore
import BetterI18nOAuth
import Hummingbird
import NIOCore

/// Per-request state shared by middleware and routes: who is calling from where, and the
/// signed-in dashboard user when there is one.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The client's IP address, for throttles, rate limits and logs: the TCP peer, or — when the
    /// peer is one of `--trusted-proxies` — the client its forwarding header names
    /// (``ClientAddressMiddleware``).
    public internal(set) var clientAddress: String
    /// Set by ``SessionMiddleware`` when a valid `bi_session` cookie came with the request.
    public var user: User?
    /// The cookie secret of that session; CSRF tokens of signed-in forms derive from it.
    public var sessionSecret: String?
    /// Set by ``PartnerAuthMiddleware`` on partner resource routes: the installation token.
    public var partner: AuthenticatedToken?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.clientAddress = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    init(coreContext: CoreRequestContextStorage, clientAddress: String) {
        self.coreContext = coreContext
        self.clientAddress = clientAddress
    }

    /// Request bodies are limited to 5 MiB (SPEC §6.3 `413 payload_too_large`).
    public var maxUploadSize: Int { 5 * 1024 * 1024 }
}
