// The Hamming scan of the multi-index probe and the CPU search
// (Sources/CHamming/codes_within.c): its AVX-512 and AVX2 loops give exactly the positions
// the plain C loop gives, for one-, two- and three-word codes, every length of tail and
// bounds from 0 to "every code".

import Backend
import CHamming
import Testing

struct CodesWithinTests {
  typealias Scan = (UnsafePointer<UInt64>, Int, Int, UnsafePointer<UInt64>, UInt32, UnsafeMutablePointer<UInt32>) -> Int

  static func positions(_ scan: Scan, _ codes: [UInt64], words: Int, query: [UInt64], within: UInt32) -> [UInt32] {
    let count = codes.count / words
    var found = [UInt32](repeating: .max, count: count)
    let hits = codes.withUnsafeBufferPointer { scan($0.baseAddress!, count, words, query, within, &found) }
    // Nothing is written past the count it returns.
    #expect(found[hits...].allSatisfy { $0 == .max })
    return Array(found[..<hits])
  }

  static func agreesWithPortable(_ scan: Scan) {
    var generator = SeededGenerator(seed: 9)
    for words in [1, 2, 3] {
      for count in [0, 1, 3, 4, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 200] {
        // Codes a few bits from the query, so that every bound splits them.
        let query = (0..<words).map { _ in generator.next() }
        let codes = (0..<(count * words)).map {
          query[$0 % words] ^ (generator.next() & generator.next() & generator.next())
        }
        for within in [0, 3, 8, 31, 64, 100, UInt32.max] as [UInt32] {
          let expected = positions(sigah_codes_within_portable, codes, words: words, query: query, within: within)
          #expect(
            positions(scan, codes, words: words, query: query, within: within) == expected,
            "\(count) codes of \(words) words within \(within)")
          let distances = (0..<count).map { i in
            (0..<words).reduce(0) { $0 + (codes[i * words + $1] ^ query[$1]).nonzeroBitCount }
          }
          #expect(expected == distances.indices.filter { UInt32(distances[$0]) <= within }.map { UInt32($0) })
        }
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
