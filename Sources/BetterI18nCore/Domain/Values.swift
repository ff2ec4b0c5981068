import Foundation
import Synchronization

/// An email address, trimmed and lowercased so sign-in is case-insensitive.
public struct EmailAddress: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws {
        let email = raw.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard email.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains("."),
              !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !email.contains(where: { $0.isWhitespace || $0.isNewline || $0 == "<" || $0 == ">" })
        else {
            throw ValidationError(field: "email", message: "'\(raw.prefix(80))' is not a valid email address")
        }
        self.value = email
    }

    public var description: String { value }
}

/// A URL-safe name for an organization or a project: lowercase letters, digits and single
/// hyphens, 2–64 characters, starting and ending with a letter or digit.
public struct Slug: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String, field: String = "slug") throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (2...64).contains(raw.count), raw.allSatisfy(allowed.contains),
              raw.first != "-", raw.last != "-", !raw.contains("--")
        else {
            throw ValidationError(
                field: field,
                message: "'\(raw.prefix(80))' is not a valid slug (2–64 lowercase letters, digits and single hyphens)"
            )
        }
        self.value = raw
    }

    public var description: String { value }
}

/// A display name: trimmed, 1–200 characters, no control characters.
public struct DisplayName: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String, field: String = "name") throws {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...200).contains(name.count),
              !name.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            throw ValidationError(field: field, message: "must be 1–200 characters without control characters")
        }
        self.value = name
    }

    public var description: String { value }
}

/// A BCP 47 language tag (`de`, `pt-BR`, `zh-Hant-TW`), stored lowercase (SPEC §6.2) and
/// compared case-insensitively by virtue of that.
public struct LanguageCode: Hashable, Sendable, Codable, Comparable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws {
        let code = raw.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "_", with: "-")
        let subtags = code.split(separator: "-", omittingEmptySubsequences: false)
        let alphanumeric = Self.alphanumeric
        guard let primary = subtags.first,
              (2...3).contains(primary.count), primary.allSatisfy({ $0.isASCII && $0.isLetter }),
              subtags.count <= 6,
              subtags.dropFirst().allSatisfy({ (1...8).contains($0.count) && $0.allSatisfy(alphanumeric.contains) })
        else {
            throw ValidationError(field: "language", message: "'\(raw.prefix(40))' is not a BCP 47 language code")
        }
        self.value = code
    }

    /// English name of the language for display ("German", "Portuguese (Brazil)"), falling
    /// back to the code itself.
    public var englishName: String { name(in: "en") ?? value }

    /// The language's name in itself ("Deutsch", "français"), from the CLDR data of the
    /// toolchain's Foundation, falling back to the English name.
    public var nativeName: String { name(in: value) ?? englishName }

    /// The language's name as `displayLocale` writes it, looked up in ICU once and kept.
    private func name(in displayLocale: String) -> String? {
        let cacheKey = displayLocale + "|" + value
        if let known = Self.names.withLock({ $0[cacheKey] }) { return known }
        let found = Locale(identifier: displayLocale).localizedString(forIdentifier: value)
        Self.names.withLock { $0[cacheKey] = found }
        return found
    }

    /// Built once: a set per call was measurable when reading 100,000 stored values.
    private static let alphanumeric = Set("abcdefghijklmnopqrstuvwxyz0123456789")

    /// Looking a name up in ICU is slow; the answers never change (nil: ICU has none).
    private static let names = Mutex<[String: String?]>([:])

    public var description: String { value }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.value < rhs.value }
}

/// A namespace groups keys inside a project (`common`, `checkout`). Every project has
/// `default`; `translations` and `batch` are reserved because the CDN uses them as file names
/// (`{locale}/translations.json`, `{locale}/batch.json`), and a name has no `.`, because the
/// first segment of an SDK's dot path (`t("auth.login.title")`) is the namespace.
public struct NamespaceName: Hashable, Sendable, Codable, CustomStringConvertible {
    public static let `default` = NamespaceName(unchecked: "default")
    public static let reserved: Set<String> = ["translations", "batch"]

    public let value: String

    public init(_ raw: String) throws {
        let allowed = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")
        guard (1...100).contains(raw.count), raw.allSatisfy(allowed.contains) else {
            throw ValidationError(field: "namespace", message: "'\(raw.prefix(40))' is not a valid namespace (letters, digits, - and _)")
        }
        guard !Self.reserved.contains(raw) else {
            throw ValidationError(field: "namespace", message: "the namespace name '\(raw)' is reserved")
        }
        self.value = raw
    }

    init(unchecked raw: String) { self.value = raw }

    /// A name read back from storage, as stored: names that were valid under older rules
    /// (namespaces with `.`) must still load.
    /// (A static function, not an initializer, so `map(NamespaceName.init)` keeps validating.)
    public static func stored(_ raw: String) -> NamespaceName { NamespaceName(unchecked: raw) }

    public var description: String { value }
}

/// A translation key's name (`checkout.pay_button`): 1–500 characters, no control characters.
public struct KeyName: Hashable, Sendable, Codable, CustomStringConvertible {
    public let value: String

    public init(_ raw: String) throws {
        guard (1...500).contains(raw.count), raw.trimmingCharacters(in: .whitespaces) == raw,
              !raw.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
        else {
            throw ValidationError(field: "name", message: "a key name is 1–500 characters, without control characters or surrounding spaces")
        }
        self.value = raw
    }

    public var description: String { value }
}
