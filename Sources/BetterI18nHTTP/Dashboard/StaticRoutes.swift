import Hummingbird

/// The stylesheet and the dashboard's script, served from our own origin so the CSP can forbid
/// everything else.
struct StaticRoutes {
    func register(on router: Router<AppRequestContext>) {
        router.get("/static/dashboard.js") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: DashboardScript.source))
            )
        }
        router.get("/static/app.css") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "public, max-age=3600"],
                body: .init(byteBuffer: ByteBuffer(string: Templates.stylesheet + "\n" + Templates.oauthStylesheet + "\n" + MemberTemplates.stylesheet))
            )
        }
    }
}
