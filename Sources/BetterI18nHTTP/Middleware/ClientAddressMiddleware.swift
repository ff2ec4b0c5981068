import BetterI18nCore
import Hummingbird

/// Replaces the TCP peer with the client a trusted proxy names (`--trusted-proxies`, SPEC §2).
/// Forwarding headers from any other peer are ignored: they are the client's to invent.
struct ClientAddressMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let trusted: TrustedProxies

    static let forwarded = HTTPFields.Element.Name("forwarded")!
    static let xForwardedFor = HTTPFields.Element.Name("x-forwarded-for")!

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard !trusted.isEmpty, trusted.contains(context.clientAddress) else { return try await next(request, context) }
        var context = context
        context.clientAddress = trusted.clientAddress(
            peer: context.clientAddress, forwarded: request.headers[values: Self.forwarded],
            xForwardedFor: request.headers[values: Self.xForwardedFor]
        )
        return try await next(request, context)
    }
}
