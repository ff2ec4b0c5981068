import struct BetterI18nAPI.ContentEntryWrite
import struct BetterI18nAPI.NewContentField
import struct BetterI18nAPI.NewContentModel
import struct BetterI18nAPI.NewEntryTranslation
import BetterI18nCore
import Foundation

/// The content `serve --demo` seeds (SPEC §2, §10): a `blog` model with two localized posts —
/// one published in English and German, one draft — and a public Content API key.
public struct DemoContent: Sendable {
    let content: ContentService
    let keys: PublicKeyService

    public init(content: ContentService, keys: PublicKeyService) {
        self.content = content
        self.keys = keys
    }

    public static let modelSlug = "blog"
    public static let publishedSlug = "hello-world"

    /// Seeds the blog and returns the public key (shown once).
    public func seed(in project: Project) async throws -> Secret {
        _ = try await content.createModel(NewContentModel(
            slug: Self.modelSlug, displayName: "Blog", description: "Posts for the Acme website",
            fields: [
                NewContentField(name: "excerpt", displayName: "Excerpt", type: "textarea", localized: true, required: true),
                NewContentField(name: "cover", displayName: "Cover image", type: "media"),
                NewContentField(name: "reading_time", displayName: "Reading time (minutes)", type: "number"),
            ]
        ), in: project)
        _ = try await content.createEntry(ContentEntryWrite(
            slug: Self.publishedSlug, status: "published",
            fields: ["cover": .string("https://images.example.com/hello.png"), "reading_time": .int(2)],
            translations: [
                "en": NewEntryTranslation(title: "Hello, world", body: "Welcome to the **Acme** blog.",
                                          fields: ["excerpt": .string("Our first post.")]),
                "de": NewEntryTranslation(title: "Hallo, Welt", body: "Willkommen im **Acme**-Blog.",
                                          fields: ["excerpt": .string("Unser erster Beitrag.")]),
            ]
        ), in: Self.modelSlug, project: project)
        _ = try await content.createEntry(ContentEntryWrite(
            slug: "coming-soon", fields: ["reading_time": .int(5)],
            translations: [
                "en": NewEntryTranslation(title: "Coming soon", body: "A draft nobody outside sees yet.",
                                          fields: ["excerpt": .string("Work in progress.")]),
                "de": NewEntryTranslation(title: "Demnächst", body: "Ein Entwurf, den draußen noch niemand sieht."),
            ]
        ), in: Self.modelSlug, project: project)
        return try await keys.create(for: project, name: "Demo website").secret
    }
}
