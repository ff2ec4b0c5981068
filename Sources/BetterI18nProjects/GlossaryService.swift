import struct BetterI18nAPI.NewTerm
import BetterI18nCore
import BetterI18nStorage
import Foundation

/// The organization glossary (SPEC §6.2): terms upserted by term, all or nothing.
public struct GlossaryService: Sendable {
    /// One term of `PUT …/glossary/terms`.
    public typealias NewTerm = BetterI18nAPI.NewTerm

    let storage: any GlossaryStore
    let clock: any WallClock

    public init(storage: any GlossaryStore, clock: any WallClock) {
        self.storage = storage
        self.clock = clock
    }

    public func terms(of organization: OrganizationID) async throws -> [GlossaryTerm] {
        try await storage.glossary(of: organization)
    }

    public func upsert(_ items: [NewTerm], in organization: OrganizationID) async throws -> [GlossaryTerm] {
        try KeyService.checkCount(items.count)
        let existing = Dictionary(try await storage.glossary(of: organization).map { ($0.term, $0) }, uniquingKeysWith: { first, _ in first })
        let now = clock.now()
        var problems: [ItemProblem] = []
        var terms: [GlossaryTerm] = []
        var seen: Set<String> = []
        for (index, item) in items.enumerated() {
            let term = item.term.trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(term.count) else {
                problems.append(ItemProblem(index: index, code: "invalid_term", message: "a term is 1–200 characters"))
                continue
            }
            guard seen.insert(term).inserted else {
                problems.append(ItemProblem(index: index, code: "duplicate_term", message: "'\(term)' appears twice in this request"))
                continue
            }
            if let description = item.description, description.count > 2000 {
                problems.append(ItemProblem(index: index, code: "invalid_description", message: "at most 2000 characters"))
                continue
            }
            var translations: [LanguageCode: String] = [:]
            do {
                for (code, value) in item.translations ?? [:] {
                    guard value.count <= 2000 else {
                        throw ValidationError(field: "translation", message: "a translation is at most 2000 characters")
                    }
                    translations[try LanguageCode(code)] = value
                }
            } catch let error as ValidationError {
                problems.append(ItemProblem(index: index, code: "invalid_\(error.field)", message: error.message))
                continue
            }
            terms.append(GlossaryTerm(
                organizationID: organization, term: term, description: item.description, translations: translations,
                createdAt: existing[term]?.createdAt ?? now, updatedAt: now
            ))
        }
        guard problems.isEmpty else { throw KeyFailure.invalidItems(problems) }
        try await storage.saveGlossaryTerms(terms)
        return terms
    }
}
