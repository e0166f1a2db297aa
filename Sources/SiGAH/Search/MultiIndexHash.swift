// Multi-index hashing (Norouzi, Punjani & Fleet, CVPR 2012; METHOD.md §4c): exact Hamming
// k-nearest and radius search without scanning the database. The b bits of a code are cut
// into m disjoint substrings, each the key of its own table (direct-addressed buckets of
// ids, ascending). An item within distance r of a query is within ⌊r/m⌋ of it on some
// substring (pigeonhole), so probing the tables at substring radius 0, 1, 2, … finds every
// near item first. Once tables 0…j have been probed at radius s and the others at s − 1,
// an item not yet seen is at least m·s + j + 1 away; the search stops when its k-th best
// is closer than that, so every item at the k-th distance has been seen and ties go by
// index exactly as the linear scan orders them.

import Backend
import CPrefetch
import Dispatch
import Foundation

public struct MultiIndexHash: Sendable {
  /// Bits `start..<start + length` of every code.
  public struct Substring: Sendable, Equatable {
    public let start: Int
    public let length: Int
  }

  /// The longest substring: a table has 2^length buckets.
  public static let maximumSubstringBits = 24

  public let codes: PackedCodes
  public let substrings: [Substring]
  /// Per substring: bucket `v` holds `ids[offsets[v]..<offsets[v + 1]]`.
  let offsets: [[UInt32]]
  let ids: [[UInt32]]
  /// Per substring, the codes in the table's order (`codes[ids[slot]]`): a bucket's codes
  /// are read in sequence, not fetched one by one from the whole set.
  let tableCodes: [[UInt64]]
  /// Per substring, its bits as a mask over the code's words.
  let masks: [[UInt64]]
  /// The masks of one-word codes, one a substring.
  let wordMasks: [UInt64]

  /// Substrings of about log₂ n − 5 bits (Norouzi et al. take log₂ n; the shorter ones
  /// measured faster here, BENCHMARKS.md: their tables fit the caches and a bucket holds
  /// tens of codes read in sequence), kept within 1…b and to at most 24 bits.
  public static func defaultSubstrings(bits: Int, count: Int) -> Int {
    let perSubstring = max(1.0, log2(Double(max(count, 2))) - 5)
    let m = Int((Double(bits) / perSubstring).rounded())
    return min(max(m, (bits + maximumSubstringBits - 1) / maximumSubstringBits, 1), bits)
  }

  /// The m substrings of b bits: the first `b mod m` one bit longer.
  public static func split(bits: Int, into m: Int) -> [Substring] {
    var start = 0
    return (0..<m).map { index in
      let length = bits / m + (index < bits % m ? 1 : 0)
      defer { start += length }
      return Substring(start: start, length: length)
    }
  }

  /// Builds the tables of `codes` over `substrings` of them (default: `defaultSubstrings`).
  public init(codes: PackedCodes, substrings m: Int? = nil) throws {
    let m = m ?? Self.defaultSubstrings(bits: codes.bits, count: codes.count)
    guard (1...codes.bits).contains(m), (codes.bits + m - 1) / m <= Self.maximumSubstringBits else {
      throw BackendError.invalidArgument(
        operation: "index",
        message: "\(codes.bits)-bit codes split into \(m) substrings need 1 to \(codes.bits) substrings of at most "
          + "\(Self.maximumSubstringBits) bits (at least \((codes.bits + Self.maximumSubstringBits - 1) / Self.maximumSubstringBits))"
      )
    }
    guard codes.count <= Int(UInt32.max) else {
      throw BackendError.invalidArgument(operation: "index", message: "at most \(UInt32.max) codes, got \(codes.count)")
    }
    let substrings = Self.split(bits: codes.bits, into: m)
    var offsets: [[UInt32]] = []
    var ids: [[UInt32]] = []
    for substring in substrings {
      let buckets = 1 << substring.length
      var counts = [UInt32](repeating: 0, count: buckets + 1)
      codes.words.withUnsafeBufferPointer { words in
        for i in 0..<codes.count {
          counts[Int(Self.value(words.baseAddress! + i * codes.wordsPerCode, substring)) + 1] += 1
        }
      }
      for v in 0..<buckets { counts[v + 1] += counts[v] }
      var next = counts
      var table = [UInt32](repeating: 0, count: codes.count)
      codes.words.withUnsafeBufferPointer { words in
        for i in 0..<codes.count {
          let v = Int(Self.value(words.baseAddress! + i * codes.wordsPerCode, substring))
          table[Int(next[v])] = UInt32(i)
          next[v] += 1
        }
      }
      offsets.append(counts)
      ids.append(table)
    }
    self.init(codes: codes, substrings: substrings, offsets: offsets, ids: ids)
  }

  /// The tables over `codes`, their codes in table order gathered here unless given.
  init(
    codes: PackedCodes, substrings: [Substring], offsets: [[UInt32]], ids: [[UInt32]], tableCodes: [[UInt64]]? = nil
  ) {
    self.codes = codes
    self.substrings = substrings
    self.offsets = offsets
    self.ids = ids
    let words = codes.wordsPerCode
    self.tableCodes =
      tableCodes
      ?? Self.eachTable(substrings.count) { j in
        Self.orderedCodes(codes, table: ids[j], offsets: offsets[j], substring: substrings[j], checked: false)!
      }
    masks = substrings.map { substring in
      (0..<words).map { w in
        let low = max(substring.start, 64 * w)
        let high = min(substring.start + substring.length, 64 * (w + 1))
        guard low < high else { return 0 }
        let width = UInt64(high - low)
        return (width == 64 ? UInt64.max : (1 << width) - 1) << UInt64(low - 64 * w)
      }
    }
    wordMasks = masks.map { $0[0] }
  }

  /// `body(j)` for every table `j`, the tables shared out between the cores: each is a
  /// random gather over the whole set of codes, bound by memory latency, not bandwidth.
  static func eachTable<T>(_ m: Int, _ body: (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: m)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    nonisolated(unsafe) let out = results
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: m) { j in out[j] = body(j) }
    }
    return results.map { $0! }
  }

  /// A table's codes in its order (`codes[ids[slot]]`); with `checked`, nil unless every
  /// code is filed under the bucket its substring names (one pass reads each code once).
  static func orderedCodes(
    _ codes: PackedCodes, table ids: [UInt32], offsets: [UInt32], substring: Substring, checked: Bool
  ) -> [UInt64]? {
    let words = codes.wordsPerCode
    var consistent = true
    let ordered = [UInt64](unsafeUninitializedCapacity: ids.count * words) { buffer, initialized in
      codes.words.withUnsafeBufferPointer { source in
        ids.withUnsafeBufferPointer { ids in
          for bucket in 0..<(offsets.count - 1) where consistent {
            for slot in Int(offsets[bucket])..<Int(offsets[bucket + 1]) {
              let code = source.baseAddress! + Int(ids[slot]) * words
              if checked && value(code, substring) != UInt32(bucket) {
                consistent = false
                break
              }
              for w in 0..<words { buffer[slot * words + w] = code[w] }
            }
          }
        }
      }
      initialized = consistent ? ids.count * words : 0
    }
    return consistent ? ordered : nil
  }

  /// Bytes the tables and codes hold.
  public var memoryBytes: Int {
    codes.words.count * 8 + offsets.reduce(0) { $0 + $1.count * 4 } + ids.reduce(0) { $0 + $1.count * 4 }
      + tableCodes.reduce(0) { $0 + $1.count * 8 }
  }

  /// Bits `substring` of the code at `code`, as an integer.
  @inline(__always)
  static func value(_ code: UnsafePointer<UInt64>, _ substring: Substring) -> UInt32 {
    let word = substring.start / 64
    let shift = UInt64(substring.start % 64)
    var bits = code[word] >> shift
    if Int(shift) + substring.length > 64 { bits |= code[word + 1] << (64 - shift) }
    return UInt32(truncatingIfNeeded: bits & ((1 << UInt64(substring.length)) - 1))
  }

  /// Calls `body` with every `length`-bit value at Hamming distance exactly `radius` from
  /// `center` (Gosper's enumeration of the masks of `radius` bits), and `ahead` with each
  /// value `lead` calls before `body` gets it.
  @inline(__always)
  static func neighbours(
    of center: UInt32, length: Int, radius: Int, lead: Int = 0, ahead: (UInt32) -> Void = { _ in },
    _ body: (UInt32) -> Void
  ) {
    guard radius <= length else { return }
    if radius == 0 {
      ahead(center)
      return body(center)
    }
    let limit = UInt64(1) << UInt64(length)
    @inline(__always) func next(_ mask: UInt64) -> UInt64 {
      let lowest = mask & (~mask &+ 1)
      let ripple = mask &+ lowest
      return (((ripple ^ mask) >> 2) / lowest) | ripple
    }
    var mask = (UInt64(1) << UInt64(radius)) - 1
    var leading = mask
    for _ in 0..<lead where leading < limit {
      ahead(center ^ UInt32(truncatingIfNeeded: leading))
      leading = next(leading)
    }
    while mask < limit {
      if leading < limit {
        ahead(center ^ UInt32(truncatingIfNeeded: leading))
        leading = next(leading)
      }
      body(center ^ UInt32(truncatingIfNeeded: mask))
      mask = next(mask)
    }
  }

  /// The `k` nearest codes of each query, ties by index: `(ids, distances)`, queries × k,
  /// the linear scan's result exactly.
  public func search(_ queries: PackedCodes, k: Int) throws -> (ids: [Int32], distances: [Int32]) {
    guard queries.bits == codes.bits else {
      throw BackendError.invalidArgument(
        operation: "search", message: "query codes have \(queries.bits) bits, the index \(codes.bits)")
    }
    guard (1...max(codes.count, 1)).contains(k), codes.count >= 1 else {
      throw BackendError.invalidArgument(
        operation: "search", message: "k must be between 1 and the \(codes.count) indexed codes, got \(k)")
    }
    let results = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: queries.count * k)
    defer { results.deallocate() }
    nonisolated(unsafe) let out = results
    forEachQueryChunk(queries) { range in
      var nearest = Nearest(kept: SmallestKeys(capacity: k))
      for q in range {
        nearest.kept.removeAll()
        self.probe(queries, q, maximumRadius: nil, into: &nearest)
        for (position, key) in nearest.kept.sorted().enumerated() { out[q * k + position] = key }
      }
    }
    return (results.map(SmallestKeys.index(of:)), results.map { Int32(SmallestKeys.value(of: $0)) })
  }

  /// Every code within `radius` of each query, by query, distance and id.
  public func within(_ radius: Int, queries: PackedCodes) throws -> [RadiusSearch.Match] {
    guard queries.bits == codes.bits else {
      throw BackendError.invalidArgument(
        operation: "search", message: "query codes have \(queries.bits) bits, the index \(codes.bits)")
    }
    let perQuery = UnsafeMutableBufferPointer<[RadiusSearch.Match]>.allocate(capacity: queries.count)
    perQuery.initialize(repeating: [])
    defer { perQuery.deinitialize().deallocate() }
    nonisolated(unsafe) let out = perQuery
    forEachQueryChunk(queries) { range in
      for q in range {
        var within = Within(bound: SmallestKeys.key(UInt32(radius) + 1, index: 0))
        self.probe(queries, q, maximumRadius: radius / self.substrings.count, into: &within)
        let keys = within.keys.sorted()
        let matches = keys.map {
          RadiusSearch.Match(
            query: Int32(q), id: SmallestKeys.index(of: $0), distance: Int32(SmallestKeys.value(of: $0)))
        }
        out[q] = matches
      }
    }
    return perQuery.flatMap { $0 }
  }

  /// What a probe feeds: keys below `bound` are offered, and `finished(lowerBound)` ends
  /// the probe once no unseen code (all at least `lowerBound` away) can matter.
  protocol Sink {
    var bound: UInt64 { get }
    mutating func accept(_ key: UInt64)
    func finished(lowerBound: Int) -> Bool
  }

  /// k-nearest: the k smallest keys; an item enters only below the k-th.
  struct Nearest: Sink {
    var kept: SmallestKeys
    var bound: UInt64 { kept.isFull ? kept.worst : .max }
    mutating func accept(_ key: UInt64) { kept.offer(key) }
    func finished(lowerBound: Int) -> Bool { kept.isFull && Int(SmallestKeys.value(of: kept.worst)) < lowerBound }
  }

  /// Radius: every key within the radius.
  struct Within: Sink {
    let bound: UInt64
    var keys: [UInt64] = []
    mutating func accept(_ key: UInt64) { keys.append(key) }
    func finished(lowerBound: Int) -> Bool { false }
  }

  /// Runs `body` on chunks of the queries in parallel.
  private func forEachQueryChunk(_ queries: PackedCodes, _ body: (Range<Int>) -> Void) {
    guard queries.count > 0 else { return }
    let chunks = min(queries.count, 64)
    let size = (queries.count + chunks - 1) / chunks
    let threads = max(1, min(chunks, ProcessInfo.processInfo.activeProcessorCount))
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      self.run(chunks: chunks, size: size, threads: threads, count: queries.count, body)
    }
  }

  private func run(
    chunks: Int, size: Int, threads: Int, count: Int, _ body: @escaping (Range<Int>) -> Void
  ) {
    nonisolated(unsafe) let body = body
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      var chunk = thread
      while chunk < chunks {
        let range = min(chunk * size, count)..<min((chunk + 1) * size, count)
        if !range.isEmpty { body(range) }
        chunk += threads
      }
    }
  }

  /// Probes the tables in rings of growing substring radius s (all tables at s before
  /// any at s + 1, up to `maximumRadius`), offering `sink` each item below its bound the
  /// first time it is met, and stops when the sink is finished.
  ///
  /// The distance is computed first (most items are too far and cost nothing more). An
  /// item met in table j at ring s was met before exactly when an earlier visit covers
  /// it: a table i < j where it differs by ≤ s, or i > j where it differs by ≤ s − 1 —
  /// decided from its code, read in the bucket's order, so no per-item mark is needed.
  private func probe<S: Sink>(_ queries: PackedCodes, _ q: Int, maximumRadius: Int?, into sink: inout S) {
    let m = substrings.count
    let words = codes.wordsPerCode
    let longest = substrings.map(\.length).max()!
    queries.words.withUnsafeBufferPointer { queryWords in
      let query = queryWords.baseAddress! + q * words
      var s = 0
      while s <= min(longest, maximumRadius ?? longest) {
        for (j, substring) in substrings.enumerated() {
          let center = Self.value(query, substring)
          wordMasks.withUnsafeBufferPointer { wordMasks in
            offsets[j].withUnsafeBufferPointer { offsets in
              ids[j].withUnsafeBufferPointer { ids in
                tableCodes[j].withUnsafeBufferPointer { table in
                  // A bucket's codes are a few cache lines far from the last bucket's: they
                  // are asked for a few buckets ahead, so that their loads overlap.
                  let prefetch = { (bucket: UInt32) in
                    let slots = Int(offsets[Int(bucket)])..<Int(offsets[Int(bucket) + 1])
                    let start = table.baseAddress! + slots.lowerBound * words
                    var line = 0
                    while line < slots.count * words * 8 {
                      sigah_prefetch(UnsafeRawPointer(start) + line)
                      line += 64
                    }
                  }
                  Self.neighbours(of: center, length: substring.length, radius: s, lead: 8, ahead: prefetch) { bucket in
                    let slots = Int(offsets[Int(bucket)])..<Int(offsets[Int(bucket) + 1])
                    if words == 1 {
                      // One word (codes to 64 bits): the XOR decides both questions.
                      let q0 = query[0]
                      for slot in slots {
                        let x = q0 ^ table[slot]
                        let distance = x.nonzeroBitCount
                        // The id is read only for a code within the bound's distance.
                        if distance > Int(sink.bound >> 32) { continue }
                        let key = SmallestKeys.key(UInt32(distance), index: Int(ids[slot]))
                        if key >= sink.bound { continue }
                        var met = false
                        for i in 0..<m where i != j {
                          let limit = i < j ? s : s - 1
                          if limit >= 0 && (x & wordMasks[i]).nonzeroBitCount <= limit {
                            met = true
                            break
                          }
                        }
                        if !met { sink.accept(key) }
                      }
                      return
                    }
                    for slot in slots {
                      let code = table.baseAddress! + slot * words
                      var distance = 0
                      for w in 0..<words { distance += (query[w] ^ code[w]).nonzeroBitCount }
                      let key = SmallestKeys.key(UInt32(distance), index: Int(ids[slot]))
                      if key >= sink.bound || self.metBefore(query, code, table: j, ring: s) { continue }
                      sink.accept(key)
                    }
                  }
                }
              }
            }
          }
          // Unseen items differ by ≥ s + 1 on tables 0…j and ≥ s on the rest.
          if sink.finished(lowerBound: m * s + j + 1) { return }
        }
        s += 1
      }
    }
  }

  /// Whether a code met in table `j` at ring `s` was met by an earlier table visit.
  @inline(__always)
  private func metBefore(_ query: UnsafePointer<UInt64>, _ code: UnsafePointer<UInt64>, table j: Int, ring s: Int)
    -> Bool
  {
    let words = codes.wordsPerCode
    for i in 0..<masks.count where i != j {
      let limit = i < j ? s : s - 1
      if limit < 0 { continue }
      var differing = 0
      masks[i].withUnsafeBufferPointer { mask in
        for w in 0..<words { differing += ((query[w] ^ code[w]) & mask[w]).nonzeroBitCount }
      }
      if differing <= limit { return true }
    }
    return false
  }
}
