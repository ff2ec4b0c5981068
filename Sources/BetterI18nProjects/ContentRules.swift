import struct BetterI18nAPI.EnumOption
import enum BetterI18nAPI.JSONValue
import struct BetterI18nAPI.NewContentField
import BetterI18nCore
import Foundation

/// Why a content request was refused as a whole (SPEC §10).
public enum ContentFailure: Error, Equatable, Sendable {
    /// Values or definitions that break a rule, each naming its field; nothing was written
    /// (`422 validation_failed`).
    case invalid([ItemProblem])
    /// A slug taken, a `single` model's second entry, a model still in use (`409 conflict`).
    case conflict(String)
    /// No such model or entry in the project (`404 not_found`).
    case notFound
    /// A malformed query (`400 invalid_request`): unknown `sort`, `filter` on an unknown field.
    case invalidRequest(String)

    static func problem(_ field: String, _ code: String, _ message: String) -> ContentFailure {
        .invalid([ItemProblem(index: 0, code: code, message: "\(field): \(message)", field: field)])
    }
}

/// Collects the problems of one request, each naming its field, so a client sees all of them.
struct ContentProblems {
    private(set) var all: [ItemProblem] = []

    mutating func add(_ field: String, _ code: String, _ message: String) {
        all.append(ItemProblem(index: 0, code: code, message: "\(field): \(message)", field: field))
    }

    func throwIfAny() throws {
        if !all.isEmpty { throw ContentFailure.invalid(all) }
    }
}

/// The rules of models, fields and values (SPEC §10), as pure functions.
public enum ContentRules {
    /// The entry's own names, which a field may not take: they are members of the public item.
    public static let reservedFieldNames: Set<String> = [
        "id", "slug", "title", "body", "status", "language", "source_language", "sourcelanguage", "published_at", "publishedat",
        "created_at", "updated_at", "fields", "translations", "model", "relations", "available_languages", "availablelanguages",
        "locale", "expand", "sort", "order", "page", "limit", "search", "filter",
    ]

    public static func isModelSlug(_ slug: String) -> Bool { matches(slug, maxLength: 100, extra: "-", firstMayBe: nil) }
    public static func isEntrySlug(_ slug: String) -> Bool { matches(slug, maxLength: 200, extra: "-", firstMayBe: nil) }

    /// `^[a-z_][a-z0-9_]{0,99}$`.
    public static func isFieldName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return matches(name, maxLength: 100, extra: "_", firstMayBe: nil)
    }

    private static func matches(_ text: String, maxLength: Int, extra: Unicode.Scalar, firstMayBe: Unicode.Scalar?) -> Bool {
        let scalars = text.unicodeScalars
        guard (1...maxLength).contains(scalars.count) else { return false }
        return scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == extra }
    }

    /// A field of a new or changed model; `resolveTarget` finds a relation's target model.
    static func field(
        _ input: NewContentField, at path: String, problems: inout ContentProblems, resolveTarget: (String) -> ContentModelID?
    ) -> ContentFieldDefinition? {
        var valid = true
        if !isFieldName(input.name) {
            problems.add("\(path).name", "invalid_name", "a field name is 1–100 of a-z, 0-9 and _, not starting with a digit")
            valid = false
        } else if reservedFieldNames.contains(input.name) {
            problems.add("\(path).name", "reserved_name", "'\(input.name)' is a name of the entry itself")
            valid = false
        }
        guard let type = ContentFieldType(rawValue: input.type) else {
            problems.add("\(path).type", "invalid_type", "type must be one of \(ContentFieldType.allCases.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        let displayName = input.displayName ?? input.name
        if displayName.isEmpty || displayName.count > 200 {
            problems.add("\(path).display_name", "invalid_value", "a display name is 1–200 characters")
            valid = false
        }
        var target: ContentModelID?
        if type == .relation {
            if let raw = input.targetModel {
                target = resolveTarget(raw)
                if target == nil {
                    problems.add("\(path).target_model", "unknown_model", "no model '\(raw.prefix(100))' in this project")
                    valid = false
                }
            } else {
                problems.add("\(path).target_model", "required", "a relation names its target_model")
                valid = false
            }
        } else if input.targetModel != nil {
            problems.add("\(path).target_model", "invalid_value", "only relation fields have a target_model")
            valid = false
        }
        if input.multiple == true, type != .relation {
            problems.add("\(path).multiple", "invalid_value", "only relation fields can be multiple")
            valid = false
        }
        if !checkEnumValues(input.enumValues, type: type, at: "\(path).enum_values", problems: &problems) { valid = false }
        if let help = input.helpText, help.count > 1000 {
            problems.add("\(path).help_text", "invalid_value", "help text is at most 1000 characters")
            valid = false
        }
        guard valid else { return nil }
        return ContentFieldDefinition(
            name: input.name, displayName: displayName, type: type, localized: input.localized ?? false,
            required: input.required ?? false, helpText: input.helpText, enumValues: type == .enumeration ? input.enumValues : nil,
            targetModel: target, multiple: input.multiple ?? false
        )
    }

    static func checkEnumValues(_ values: [EnumOption]?, type: ContentFieldType, at path: String, problems: inout ContentProblems) -> Bool {
        if type == .enumeration {
            guard let values, !values.isEmpty else {
                problems.add(path, "required", "an enum field lists its enum_values")
                return false
            }
            if Set(values.map(\.value)).count != values.count || values.contains(where: { $0.value.isEmpty || $0.value.count > 200 }) {
                problems.add(path, "invalid_value", "enum values are unique, 1–200 characters each")
                return false
            }
        } else if values != nil {
            problems.add(path, "invalid_value", "only enum fields have enum_values")
            return false
        }
        return true
    }

    /// Checks one value against its field's type; `null` always passes (it clears the value).
    /// Relation ids are checked here for shape only; the service checks they exist.
    static func check(_ value: JSONValue, _ field: ContentFieldDefinition, at path: String, problems: inout ContentProblems) {
        if value.isNull { return }
        func refuse(_ message: String) { problems.add(path, "invalid_value", message) }
        switch field.type {
        case .text:
            guard case .string(let text) = value, text.count <= 1000 else { return refuse("a text value is a string of at most 1000 characters") }
        case .textarea, .richtext:
            guard case .string(let text) = value, text.count <= 100_000 else { return refuse("a \(field.type.rawValue) value is a string of at most 100000 characters") }
        case .number:
            switch value {
            case .int: break
            case .double(let number) where number.isFinite: break
            default: refuse("a number value is a JSON number")
            }
        case .boolean:
            guard case .bool = value else { return refuse("a boolean value is true or false") }
        case .date:
            guard case .string(let text) = value, isDate(text) else { return refuse("a date value is YYYY-MM-DD") }
        case .datetime:
            guard case .string(let text) = value, isDateTime(text) else { return refuse("a datetime value is an RFC 3339 date-time") }
        case .enumeration:
            let allowed = field.enumValues?.map(\.value) ?? []
            guard case .string(let text) = value, allowed.contains(text) else {
                return refuse("an enum value is one of \(allowed.joined(separator: ", "))")
            }
        case .media:
            guard case .string(let text) = value, isHTTPSURL(text) else { return refuse("a media value is an https URL") }
        case .relation:
            if field.multiple {
                guard case .array(let items) = value, items.count <= 100,
                      items.allSatisfy({ $0.stringValue.flatMap(ContentEntryID.init) != nil }) else {
                    return refuse("a multiple relation is a list of at most 100 entry ids (ent_…)")
                }
            } else {
                guard value.stringValue.flatMap(ContentEntryID.init) != nil else { return refuse("a relation is an entry id (ent_…)") }
            }
        }
    }

    /// The entry ids a relation value names.
    static func relationIDs(_ value: JSONValue) -> [ContentEntryID] {
        switch value {
        case .string(let raw): ContentEntryID(raw).map { [$0] } ?? []
        case .array(let items): items.compactMap { $0.stringValue.flatMap(ContentEntryID.init) }
        default: []
        }
    }

    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              parts.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }) else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }

    static func isDateTime(_ text: String) -> Bool {
        guard text.count <= 40 else { return false }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return plain.date(from: text) != nil || fractional.date(from: text) != nil
    }

    static func isHTTPSURL(_ text: String) -> Bool {
        guard text.count <= 2000, let url = URL(string: text), url.scheme?.lowercased() == "https",
              let host = url.host, !host.isEmpty else { return false }
        return true
    }
}
