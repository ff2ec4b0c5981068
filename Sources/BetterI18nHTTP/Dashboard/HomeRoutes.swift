import BetterI18nCore
import Hummingbird

/// `GET /`: my organizations and their projects (SPEC §4).
struct HomeRoutes {
    let dependencies: AppDependencies

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, context in
            guard let user = context.user else { return DashboardGuards.signIn(returningTo: "/") }
            let organizations = try await organizationViews(for: user)
            let html = PageRenderer.shared.render(
                "home", title: "Home", context: HomeView(organizations: organizations), user: context.signedInUser
            )
            return HTMLResponse.make(html)
        }
    }

    private struct HomeView {
        let organizations: [OrganizationView]
    }

    /// Mustache reads stored properties only (through `Mirror`), so derived values are stored.
    private struct OrganizationView {
        let name: String
        let slug: String
        let role: String
        let projects: [ProjectView]
        let hasProjects: Bool
        let projectCount: Int
        let singleProject: Bool

        init(name: String, slug: String, role: String, projects: [ProjectView]) {
            self.name = name
            self.slug = slug
            self.role = role
            self.projects = projects
            self.hasProjects = !projects.isEmpty
            self.projectCount = projects.count
            self.singleProject = projects.count == 1
        }
    }

    private struct ProjectView {
        let name: String
        let slug: String
        let sourceLanguage: String
        let languages: [LanguageView]
        let keyCount: Int
    }

    private struct LanguageView {
        let code: String
        let name: String
    }

    /// Each project through the same cached views as the partner API: a key count, not every key.
    private func organizationViews(for user: User) async throws -> [OrganizationView] {
        let storage = dependencies.storage
        var views: [OrganizationView] = []
        for membership in try await storage.memberships(of: user.id) {
            var projects: [ProjectView] = []
            for project in try await storage.projects(in: membership.organization.id) {
                guard let view = try await dependencies.projectViews.view(project.id) else { continue }
                projects.append(ProjectView(
                    name: project.name, slug: project.slug.value, sourceLanguage: project.sourceLanguage.value,
                    languages: view.languages.map { LanguageView(code: $0.code.value, name: $0.name) }, keyCount: view.keyCount
                ))
            }
            views.append(OrganizationView(
                name: membership.organization.name, slug: membership.organization.slug.value,
                role: membership.role.rawValue, projects: projects
            ))
        }
        return views
    }
}
