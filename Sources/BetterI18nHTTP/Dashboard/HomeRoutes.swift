import BetterI18nCore
import BetterI18nProjects
import BetterI18nStorage
import Hummingbird

/// `GET /`: my organizations and their projects with progress per language (SPEC §4).
struct HomeRoutes {
    let storage: any OrganizationStore & ProjectStore
    let projectViews: ProjectViews
    let keys: KeyService

    func register(on router: Router<AppRequestContext>) {
        router.get("/") { _, context in
            guard let user = context.user else { return DashboardGuards.signIn(returningTo: "/") }
            let organizations = try await organizationViews(for: user)
            let html = PageRenderer.shared.render(
                "home", title: "Home", context: HomeView(organizations: organizations), user: context.signedInUser, path: "/"
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
        let canAdminister: Bool
        let projects: [ProjectView]
        let hasProjects: Bool
        let projectCount: Int
        let singleProject: Bool

        init(name: String, slug: String, role: String, projects: [ProjectView]) {
            self.name = name
            self.slug = slug
            self.role = role
            self.canAdminister = role != Role.member.rawValue
            self.projects = projects
            self.hasProjects = !projects.isEmpty
            self.projectCount = projects.count
            self.singleProject = projects.count == 1
        }
    }

    private struct ProjectView {
        let name: String
        let slug: String
        let path: String
        let sourceLanguage: String
        let languages: [LanguageView]
        let keyCount: Int
    }

    private struct LanguageView {
        let code: String
        let name: String
        let percent: Int
    }

    /// Each project through the same cached views as the partner API: a key count, not every key.
    private func organizationViews(for user: User) async throws -> [OrganizationView] {
        var views: [OrganizationView] = []
        for membership in try await storage.memberships(of: user.id) {
            var projects: [ProjectView] = []
            for project in try await storage.projects(in: membership.organization.id) {
                guard let view = try await projectViews.view(project.id) else { continue }
                let counts = try await keys.valueCounts(project.id)
                projects.append(ProjectView(
                    name: project.name, slug: project.slug.value,
                    path: "/orgs/\(membership.organization.slug.value)/projects/\(project.slug.value)",
                    sourceLanguage: project.sourceLanguage.value,
                    languages: view.languages.map { language in
                        let count = counts[language.code] ?? 0
                        return LanguageView(
                            code: language.code.value, name: language.name,
                            percent: view.keyCount == 0 ? 0 : Int((Double(count) * 100 / Double(view.keyCount)).rounded(.down))
                        )
                    },
                    keyCount: view.keyCount
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
