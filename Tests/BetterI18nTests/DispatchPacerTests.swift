import BetterI18nCore
@testable import BetterI18nWebhooks
import Synchronization
import Testing

/// Webhook delivery gives way to request writes only while they saturate the one writer, on
/// instants the tests choose (no sleeps): the pacer's decisions and the writer's load.
@Suite struct DispatchPacerTests {
    let start = ContinuousClock.now
    let traffic: RequestTraffic
    let busy = BusyTotal()

    /// The writer's running total of busy time, as the tests set it.
    final class BusyTotal: Sendable {
        private let value = Mutex<Duration?>(.zero)
        func withLock<T>(_ body: (inout Duration?) -> T) -> T { value.withLock { body(&$0) } }
    }

    init() {
        traffic = RequestTraffic(origin: start)
    }

    func at(_ milliseconds: Int) -> ContinuousClock.Instant { start.advanced(by: .milliseconds(milliseconds)) }

    /// A pacer whose writer load comes from `busy` (nil: no single writer), measured every 250 ms.
    func pacer() -> DispatchPacer {
        DispatchPacer(
            traffic: traffic, writer: WriterLoad { [busy] in busy.withLock { $0 } }, busyInterval: .milliseconds(250),
            quietAfter: .milliseconds(100), saturated: 0.8
        )
    }

    /// Requests every few milliseconds from `from` to `to`, and the writer busy `share` of it.
    func load(from: Int, to: Int, share: Double) {
        traffic.requestStarted(at: at(to))
        busy.withLock { $0 = ($0 ?? .zero) + .milliseconds(Int(Double(to - from) * share)) }
    }

    @Test func withoutRequestsDeliveryNeverWaits() {
        let pacer = pacer()
        #expect(pacer.decide(at: at(0)) == .go)
        load(from: 0, to: 250, share: 1)
        // The writer was saturated (by deliveries catching up, say) but no request has begun
        // for 150 ms.
        #expect(pacer.decide(at: at(400)) == .go)
        #expect(pacer.decide(at: at(401)) == .go)
    }

    @Test func requestsThatSaturateTheWriterGetOnePassPerInterval() {
        let pacer = pacer()
        traffic.requestStarted(at: at(0))
        #expect(pacer.decide(at: at(0)) == .go)
        load(from: 0, to: 300, share: 0.95)
        // The first pass while giving way goes at once; the next waits out the interval.
        #expect(pacer.decide(at: at(300)) == .go)
        #expect(pacer.decide(at: at(300)) == .wait(.milliseconds(250)))
        load(from: 300, to: 400, share: 0.95)
        #expect(pacer.decide(at: at(400)) == .wait(.milliseconds(150)))
        load(from: 400, to: 550, share: 0.95)
        #expect(pacer.decide(at: at(550)) == .go)
        #expect(pacer.decide(at: at(550)) == .wait(.milliseconds(250)))
    }

    @Test func aModerateLoadDoesNotHoldDeliveriesBack() {
        let pacer = pacer()
        traffic.requestStarted(at: at(0))
        #expect(pacer.decide(at: at(0)) == .go)
        // Requests keep coming, but the writer is idle more than a fifth of the time.
        load(from: 0, to: 300, share: 0.5)
        for instant in [300, 300, 310, 320] {
            #expect(pacer.decide(at: at(instant)) == .go)
        }
    }

    @Test func deliveriesCatchUpAsSoonAsRequestsPause() {
        let pacer = pacer()
        traffic.requestStarted(at: at(0))
        #expect(pacer.decide(at: at(0)) == .go)
        load(from: 0, to: 300, share: 1)
        #expect(pacer.decide(at: at(300)) == .go)
        #expect(pacer.decide(at: at(350)) == .wait(.milliseconds(200)))
        // The last request began 100 ms ago: full speed, and giving way would start afresh.
        #expect(pacer.decide(at: at(400)) == .go)
        #expect(pacer.decide(at: at(401)) == .go)
        #expect(pacer.recheck == .milliseconds(100))
    }

    @Test func withoutASingleWriterThereIsNothingToGiveWayTo() {
        busy.withLock { $0 = nil }
        let pacer = pacer()
        traffic.requestStarted(at: at(0))
        #expect(pacer.decide(at: at(1)) == .go)
        #expect(pacer.decide(at: at(2)) == .go)
    }

    @Test func theWritersLoadIsItsBusyTimeOverTheLatestWindow() throws {
        let load = WriterLoad(window: .milliseconds(250)) { [busy] in busy.withLock { $0 } }
        #expect(load.busyShare(at: at(0)) == 0)
        busy.withLock { $0 = .milliseconds(200) }
        // Within the window the last figure stands (the total is not read again).
        #expect(load.busyShare(at: at(100)) == 0)
        #expect(abs(try #require(load.busyShare(at: at(250))) - 0.8) < 1e-9)
        busy.withLock { $0 = .milliseconds(250) }
        #expect(abs(try #require(load.busyShare(at: at(499))) - 0.8) < 1e-9)
        #expect(abs(try #require(load.busyShare(at: at(750))) - 0.1) < 1e-9)
    }

    @Test func requestTrafficRemembersTheLatestStart() {
        #expect(traffic.lastRequestStarted == nil)
        traffic.requestStarted(at: at(5))
        traffic.requestStarted(at: at(9))
        #expect(traffic.lastRequestStarted == at(9))
    }
}
