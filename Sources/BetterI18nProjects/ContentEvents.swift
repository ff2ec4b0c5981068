import BetterI18nCore
import Foundation

/// The `content.entry.*` events the content service raises with each entry write, in the same
/// transaction: ids, the model's slug, the entry's slug and status and the languages the write
/// touched — never a value, so a subscriber reads the content itself with its own credentials.
enum ContentEvents {
    struct Payload: Encodable, Sendable {
        let project: EventPayloads.ProjectRef
        let entry_id: String
        let model: String
        let model_id: String
        let slug: String
        let status: String
        let languages: [String]
    }

    static func event(
        _ type: EventType, _ entry: ContentEntryRecord, model: ContentModelRecord, languages: some Sequence<LanguageCode>,
        in project: Project, at time: Date
    ) -> OutboxEvent {
        .contentEntry(type, project: project, data: Payload(
            project: .init(project), entry_id: entry.id.rawValue, model: model.slug, model_id: model.id.rawValue,
            slug: entry.slug, status: entry.status.rawValue, languages: languages.map(\.value).sorted()
        ), at: time)
    }

    /// Languages whose published snapshot this write made or replaced.
    static func published(before: ContentEntryRecord?, after: ContentEntryRecord) -> [LanguageCode] {
        after.languages.compactMap { language in
            guard let snapshot = language.published else { return nil }
            let old = before?.languages.first { $0.language == language.language }?.published
            return old == snapshot ? nil : language.language
        }
    }

    /// The events of a create or update: the write itself, and `published` when the write
    /// also published (`status: "published"`).
    static func written(
        _ type: EventType, before: ContentEntryRecord?, after entry: ContentEntryRecord, model: ContentModelRecord,
        in project: Project, at time: Date
    ) -> [OutboxEvent] {
        var events = [event(type, entry, model: model, languages: entry.languages.map(\.language), in: project, at: time)]
        let published = published(before: before, after: entry)
        if !published.isEmpty {
            events.append(event(.contentEntryPublished, entry, model: model, languages: published, in: project, at: time))
        }
        return events
    }
}
