// Random codes of any length for the Hamming search tests, and the brute-force distance
// the searches are checked against.

import Backend

enum RandomCodes {
  /// `count` codes of `bits` bits, word after word; the last word's unused bits are 0.
  static func make(_ count: Int, bits: Int, _ generator: inout SeededGenerator) -> [UInt64] {
    let words = (bits + 63) / 64
    let mask: UInt64 = bits % 64 == 0 ? ~0 : (1 << UInt64(bits % 64)) - 1
    return (0..<(count * words)).map { e in e % words == words - 1 ? generator.next() & mask : generator.next() }
  }

  /// The Hamming distance between code `i` of `a` and code `j` of `b`.
  static func distance(_ a: [UInt64], _ i: Int, _ b: [UInt64], _ j: Int, words: Int) -> Int {
    (0..<words).reduce(0) { $0 + (a[i * words + $1] ^ b[j * words + $1]).nonzeroBitCount }
  }
}
