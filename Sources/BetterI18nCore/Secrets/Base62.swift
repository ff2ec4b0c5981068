/// Base62 as SPEC §3 defines it: alphabet `0-9A-Za-z`, value 0 is `0`, 61 is `z`.
public enum Base62 {
    public static let alphabet: [Character] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
    private static let alphabetBytes: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// `count` uniformly random base62 characters.
    ///
    /// Rejection sampling: bytes ≥ 248 (= 4 × 62) are dropped so every character is equally
    /// likely; 32 characters carry 32 × log2(62) ≈ 190.5 bits, as §3 requires.
    public static func random(count: Int, from source: any RandomSource) -> String {
        var result: [UInt8] = []
        result.reserveCapacity(count)
        while result.count < count {
            for byte in source.bytes(count - result.count + 8) where byte < 248 && result.count < count {
                result.append(alphabetBytes[Int(byte % 62)])
            }
        }
        return String(decoding: result, as: UTF8.self)
    }

    /// `value` in base62, most significant digit first, left-padded with `0` to `width`.
    public static func encode(_ value: UInt32, width: Int) -> String {
        var digits: [UInt8] = []
        var rest = value
        repeat {
            digits.append(alphabetBytes[Int(rest % 62)])
            rest /= 62
        } while rest > 0
        while digits.count < width { digits.append(alphabetBytes[0]) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    public static func isBase62(_ string: Substring) -> Bool {
        string.utf8.allSatisfy { alphabetBytes.contains($0) }
    }
}
