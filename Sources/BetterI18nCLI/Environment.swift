import BetterI18nCore
import Foundation

/// Reads `BETTER_I18N_<NAME>` settings; a flag, when given, always wins (SPEC §2).
enum Settings {
    static func environment(_ name: String) -> String? {
        let value = ProcessInfo.processInfo.environment["BETTER_I18N_\(name)"]
        return value?.isEmpty == false ? value : nil
    }

    static func string(_ flag: String?, env name: String, default fallback: String) -> String {
        flag ?? environment(name) ?? fallback
    }

    static func optionalString(_ flag: String?, env name: String) -> String? {
        flag ?? environment(name)
    }

    /// A flag that is on when given, or when its variable is `1`, `true` or `yes`.
    static func bool(_ flag: Bool, env name: String) -> Bool {
        flag || ["1", "true", "yes"].contains(environment(name)?.lowercased() ?? "")
    }

    static func int(_ flag: Int?, env name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        if let flag {
            return try checked(flag, name: name, range: range)
        }
        guard let raw = environment(name) else { return fallback }
        guard let value = Int(raw) else {
            throw ValidationError(field: "BETTER_I18N_\(name)", message: "'\(raw)' is not a whole number")
        }
        return try checked(value, name: name, range: range)
    }

    private static func checked(_ value: Int, name: String, range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else {
            let flag = "--" + name.lowercased().replacingOccurrences(of: "_", with: "-")
            throw ValidationError(field: flag, message: "\(value) is outside \(range.lowerBound)…\(range.upperBound)")
        }
        return value
    }
}
