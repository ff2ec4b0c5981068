/// The dashboard's top navigation, in order: the one list the layout renders. Adding a page to
/// the navigation is one line here.
enum DashboardNavigation {
    struct Item: Sendable {
        let title: String
        let path: String
    }

    static let items: [Item] = [
        Item(title: "Projects", path: "/"),
        Item(title: "Connected apps", path: "/settings/connected-apps"),
        Item(title: "Developer apps", path: "/settings/apps"),
        Item(title: "API keys", path: "/settings/api-keys"),
        Item(title: "Webhooks", path: "/settings/webhooks"),
    ]

    /// A rendered link: `current` marks the page being shown (`aria-current="page"`).
    struct Link {
        let title: String
        let path: String
        let current: Bool
    }

    static func links(current path: String?) -> [Link] {
        items.map { Link(title: $0.title, path: $0.path, current: $0.path == path) }
    }
}
