import Hummingbird

/// Adds the headers SPEC §4 requires on every HTML response: no framing (clickjacking on the
/// consent and sign-in pages), no MIME sniffing, no referrer, and a Content-Security-Policy
/// that allows only our own stylesheet and script (no inline script or style, no other origin).
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    static var contentSecurityPolicy: String {
        "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self' https: data:; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await next(request, context)
        if response.headers[.contentType]?.hasPrefix("text/html") == true {
            response.headers[.xFrameOptions] = "DENY"
            response.headers[.contentSecurityPolicy] = Self.contentSecurityPolicy
            response.headers[.xContentTypeOptions] = "nosniff"
            response.headers[.referrerPolicy] = "no-referrer"
            // Pages carry CSRF tokens and personal data: never cache them.
            response.headers[.cacheControl] = "no-store"
        }
        return response
    }
}

extension HTTPFields.Element.Name {
    static let xFrameOptions = Self("X-Frame-Options")!
    static let referrerPolicy = Self("Referrer-Policy")!
}
