// The multi-index probe's bucket scan (Sources/CHamming/codes_within.c): its AVX-512 and
// AVX2 loops give exactly the positions the plain C loop gives, for every length of tail
// and for bounds from 0 to "every code".

import Backend
import CHamming
import Testing

struct CodesWithinTests {
  typealias Scan = (UnsafePointer<UInt64>, Int, UInt64, UInt32, UnsafeMutablePointer<UInt32>) -> Int

  static func positions(_ scan: Scan, _ codes: [UInt64], query: UInt64, within: UInt32) -> [UInt32] {
    var found = [UInt32](repeating: .max, count: codes.count)
    let count = codes.withUnsafeBufferPointer { scan($0.baseAddress!, codes.count, query, within, &found) }
    // Nothing is written past the count it returns.
    #expect(found[count...].allSatisfy { $0 == .max })
    return Array(found[..<count])
  }

  static func agreesWithPortable(_ scan: Scan) {
    var generator = SeededGenerator(seed: 9)
    for count in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 63, 200] {
      // Codes a few bits from the query, so that every bound splits them.
      let query = generator.next()
      let codes = (0..<count).map { _ in query ^ (generator.next() & generator.next() & generator.next()) }
      for within in [0, 3, 8, 31, 64, UInt32.max] as [UInt32] {
        let expected = positions(sigah_codes_within_portable, codes, query: query, within: within)
        #expect(positions(scan, codes, query: query, within: within) == expected, "\(count) codes within \(within)")
        #expect(
          expected == (0..<count).filter { UInt32((codes[$0] ^ query).nonzeroBitCount) <= within }.map { UInt32($0) })
      }
    }
  }

  @Test func dispatchedScanAgrees() { Self.agreesWithPortable(sigah_codes_within) }

  #if arch(x86_64)
    @Test func avx2ScanAgrees() { Self.agreesWithPortable(sigah_codes_within_avx2) }

    // Only where the processor has AVX-512 VPOPCNTQ (Ice Lake, Zen 4 and later).
    @Test(.enabled(if: sigah_codes_within_uses_avx512() != 0))
    func avx512ScanAgrees() { Self.agreesWithPortable(sigah_codes_within_avx512) }
  #endif
}
