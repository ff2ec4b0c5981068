import Foundation
import Synchronization

/// The `Date` header (RFC 9110 §6.6.1, IMF-fixdate) for answers written below the router, which
/// adds it to everything else; formatted once a second.
enum HTTPDateHeader {
    private static let cache = Mutex<(second: Int, text: String)>((0, ""))
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    static var now: String {
        var seconds = time_t(Date().timeIntervalSince1970)
        return cache.withLock { cache in
            if cache.second == Int(seconds) { return cache.text }
            var parts = tm()
            gmtime_r(&seconds, &parts)
            func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
            let text = "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
                + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
            cache = (Int(seconds), text)
            return text
        }
    }
}
