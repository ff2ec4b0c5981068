import BetterI18nCore
import Mustache

/// Renders dashboard pages: a page template inside the common layout.
struct PageRenderer: Sendable {
    static let shared = PageRenderer()

    private let library: MustacheLibrary

    init() {
        var library = MustacheLibrary()
        // The templates are compile-time constants; a parse error is a programming error.
        try! library.register(Templates.layout, named: "layout")
        try! library.register(Templates.login, named: "login")
        try! library.register(Templates.home, named: "home")
        try! library.register(Templates.consent, named: "consent")
        try! library.register(Templates.errorPage, named: "error")
        try! library.register(Templates.connectedApps, named: "connected-apps")
        try! library.register(Templates.developerApps, named: "developer-apps")
        try! library.register(ProjectTemplates.project, named: "project")
        try! library.register(MemberTemplates.members, named: "members")
        try! library.register(MemberTemplates.invitation, named: "invitation")
        try! library.register(APIKeysPage.template, named: "api-keys")
        try! library.register(Templates.webhooks, named: "webhooks")
        try! library.register(Templates.webhook, named: "webhook")
        self.library = library
    }

    struct SignedInUser {
        let name: String
        let email: String
        let csrf: String
    }

    private struct Layout {
        let title: String
        let body: String
        let user: SignedInUser?
        let mainClass: String
        let navigation: [DashboardNavigation.Link]
    }

    /// - Parameters:
    ///   - user: the signed-in user and the session's CSRF token, for the sign-out button.
    ///   - narrow: a narrow column, for single-form pages such as sign-in.
    ///   - wide: a wide column, for the project page's side-by-side values.
    ///   - path: the navigation item to mark as the current page.
    func render(
        _ template: String, title: String, context: Any, user: SignedInUser? = nil, narrow: Bool = false, wide: Bool = false,
        path: String? = nil
    ) -> String {
        let body = library.render(context, withTemplate: template) ?? ""
        let layout = Layout(
            title: title, body: body, user: user, mainClass: narrow ? "narrow" : wide ? "wide" : "",
            navigation: DashboardNavigation.links(current: path)
        )
        return library.render(layout, withTemplate: "layout") ?? ""
    }
}

extension AppRequestContext {
    /// The layout's view of the signed-in user, with the CSRF token bound to this session.
    var signedInUser: PageRenderer.SignedInUser? {
        guard let user, let sessionSecret else { return nil }
        return .init(name: user.name, email: user.email.value, csrf: CSRFToken.derive(from: sessionSecret))
    }
}
