import Foundation

/// Where secrets and identifiers get their randomness.
///
/// The system source reads the operating system's CSPRNG (`getrandom` on Linux, via
/// `SystemRandomNumberGenerator`). Tests may inject a seeded source to get reproducible ids.
public protocol RandomSource: Sendable {
    func bytes(_ count: Int) -> [UInt8]
}

public struct SystemRandomSource: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) }
    }
}
