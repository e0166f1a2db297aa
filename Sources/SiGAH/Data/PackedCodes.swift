// Binary codes packed as METHOD.md §4: little-endian 64-bit words, bit k of a code is bit
// k % 64 of word k / 64, unused high bits 0.

import Backend

public struct PackedCodes: Sendable, Equatable {
  /// Number of codes.
  public let count: Int
  /// Bits per code `r`.
  public let bits: Int
  /// `count × ⌈bits/64⌉` words.
  public var words: [UInt64]

  public init(count: Int, bits: Int, words: [UInt64]) {
    precondition(words.count == count * codeWords(bits: bits))
    self.count = count
    self.bits = bits
    self.words = words
  }

  public var wordsPerCode: Int { codeWords(bits: bits) }

  /// The first code with a bit set past bit `bits − 1` (where the format says 0), if any.
  /// Readers refuse such codes: every scan, index and kernel counts whole words, so the
  /// stray bits would add to distances and overflow the `bits + 1` distance histograms.
  public var firstCodeWithPaddingBits: Int? {
    let used = bits % 64
    guard used != 0 else { return nil }
    let padding = ~UInt64(0) << UInt64(used)
    let last = wordsPerCode - 1
    return (0..<count).first { words[$0 * wordsPerCode + last] & padding != 0 }
  }

  /// Bit `k` of code `i`.
  public func bit(_ k: Int, of i: Int) -> Bool {
    words[i * wordsPerCode + k / 64] >> UInt64(k % 64) & 1 == 1
  }

  /// The codes as `⌈bits/8⌉` bytes each, bit k in byte k / 8 at position k % 8: the
  /// row layout other tools (NumPy's packbits with bitorder="little", Faiss) read.
  public var bytes: [UInt8] {
    [UInt8](unsafeUninitializedCapacity: count * ((bits + 7) / 8)) { buffer, initialized in
      copyBytes(into: UnsafeMutableRawBufferPointer(buffer))
      initialized = buffer.count
    }
  }

  /// Writes `bytes` into `destination`, which holds at least `count × ⌈bits/8⌉` bytes (a
  /// caller's buffer, filled without an intermediate copy).
  public func copyBytes(into destination: UnsafeMutableRawBufferPointer) {
    let bytesPerCode = (bits + 7) / 8
    precondition(destination.count >= count * bytesPerCode)
    for i in 0..<count {
      for b in 0..<bytesPerCode {
        destination[i * bytesPerCode + b] = UInt8(
          truncatingIfNeeded: words[i * wordsPerCode + b / 8] >> UInt64(8 * (b % 8)))
      }
    }
  }

  /// The inverse of `bytes`.
  public init(count: Int, bits: Int, bytes: [UInt8]) {
    self = bytes.withUnsafeBytes { PackedCodes(count: count, bits: bits, bytes: $0) }
  }

  /// The inverse of `copyBytes`: `count × ⌈bits/8⌉` bytes read from `source`.
  public init(count: Int, bits: Int, bytes source: UnsafeRawBufferPointer) {
    let bytesPerCode = (bits + 7) / 8
    precondition(source.count >= count * bytesPerCode)
    let wordsPerCode = codeWords(bits: bits)
    var words = [UInt64](repeating: 0, count: count * wordsPerCode)
    for i in 0..<count {
      for b in 0..<bytesPerCode {
        words[i * wordsPerCode + b / 8] |= UInt64(source[i * bytesPerCode + b]) << UInt64(8 * (b % 8))
      }
    }
    self.init(count: count, bits: bits, words: words)
  }
}
