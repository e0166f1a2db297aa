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
import CHamming
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
  /// The most codes one bucket holds: room for a bucket scan's hits.
  let largestBucket: Int

  /// The m substrings of b bits: the first `b mod m` one bit longer.
  public static func split(bits: Int, into m: Int) -> [Substring] {
    var start = 0
    return (0..<m).map { index in
      let length = bits / m + (index < bits % m ? 1 : 0)
      defer { start += length }
      return Substring(start: start, length: length)
    }
  }

  /// Builds the tables of `codes` over `substrings` of them (default: `chooseSubstrings`).
  public init(codes: PackedCodes, substrings m: Int? = nil) throws {
    let m = try m ?? Self.chooseSubstrings(for: codes)
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
      ?? Self.inParallel(substrings.count) { j in
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
    largestBucket =
      offsets.map { table in (0..<(table.count - 1)).map { Int(table[$0 + 1] - table[$0]) }.max() ?? 0 }
      .max() ?? 0
  }

  /// `body(i)` for every `i` below `count`, shared out between the cores: a table's
  /// ordered codes (a random gather over the whole set of codes, bound by memory latency,
  /// not bandwidth) or a candidate substring count's estimate.
  static func inParallel<T>(_ count: Int, _ body: (Int) -> T) -> [T] {
    let results = UnsafeMutableBufferPointer<T?>.allocate(capacity: count)
    results.initialize(repeating: nil)
    defer { results.deinitialize().deallocate() }
    nonisolated(unsafe) let out = results
    withoutActuallyEscaping(body) { body in
      nonisolated(unsafe) let body = body
      DispatchQueue.concurrentPerform(iterations: count) { i in out[i] = body(i) }
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
  /// `center` (Gosper's enumeration of the masks of `radius` bits).
  @inline(__always)
  static func neighbours(of center: UInt32, length: Int, radius: Int, _ body: (UInt32) -> Void) {
    guard radius <= length else { return }
    if radius == 0 { return body(center) }
    let limit = UInt64(1) << UInt64(length)
    var mask = (UInt64(1) << UInt64(radius)) - 1
    while mask < limit {
      body(center ^ UInt32(truncatingIfNeeded: mask))
      let lowest = mask & (~mask &+ 1)
      let ripple = mask &+ lowest
      mask = (((ripple ^ mask) >> 2) / lowest) | ripple
    }
  }

  /// The `k` nearest codes of each query, ties by index: `(ids, distances)`, queries × k,
  /// the linear scan's result exactly.
  public func search(_ queries: PackedCodes, k: Int) throws -> (ids: [Int32], distances: [Int32]) {
    try HammingScan.checkSearch(queries, k: k, against: codes, named: "indexed codes")
    let results = UnsafeMutableBufferPointer<UInt64>.allocate(capacity: queries.count * k)
    defer { results.deallocate() }
    nonisolated(unsafe) let out = results
    forEachQueryChunk(queries, chunks: Self.blockChunks(queries.count)) { range in
      var sinks = [Nearest](repeating: Nearest(kept: SmallestKeys(capacity: k)), count: range.count)
      self.probeBlock(queries, range, maximumRadius: nil, into: &sinks)
      for (offset, nearest) in sinks.enumerated() {
        for (position, key) in nearest.kept.sorted().enumerated() {
          out[(range.lowerBound + offset) * k + position] = key
        }
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
    forEachQueryChunk(queries, chunks: Self.blockChunks(queries.count)) { range in
      var sinks = [Within](
        repeating: Within(bound: SmallestKeys.key(UInt32(radius) + 1, index: 0)), count: range.count)
      self.probeBlock(queries, range, maximumRadius: radius / self.substrings.count, into: &sinks)
      for (offset, within) in sinks.enumerated() {
        let q = range.lowerBound + offset
        out[q] = within.keys.sorted().map {
          RadiusSearch.Match(
            query: Int32(q), id: SmallestKeys.index(of: $0), distance: Int32(SmallestKeys.value(of: $0)))
        }
      }
    }
    return perQuery.flatMap { $0 }
  }

  /// What a probe feeds: keys below `bound` are offered, and `finished(lowerBound)` ends
  /// the probe once no unseen code (all at least `lowerBound` away) can matter.
  protocol Sink {
    var bound: UInt64 { get }
    /// How many keys it takes whatever they are (a k-nearest sink not yet full).
    var room: Int { get }
    /// Whether it holds no key yet.
    var isEmpty: Bool { get }
    mutating func accept(_ key: UInt64)
    func finished(lowerBound: Int) -> Bool
  }

  /// k-nearest: the k smallest keys; an item enters only below the k-th.
  struct Nearest: Sink {
    var kept: SmallestKeys
    var bound: UInt64 { kept.isFull ? kept.worst : .max }
    var room: Int { kept.capacity - kept.count }
    var isEmpty: Bool { kept.count == 0 }
    mutating func accept(_ key: UInt64) { kept.offer(key) }
    func finished(lowerBound: Int) -> Bool { kept.isFull && Int(SmallestKeys.value(of: kept.worst)) < lowerBound }
  }

  /// Radius: every key within the radius.
  struct Within: Sink {
    let bound: UInt64
    var keys: [UInt64] = []
    var room: Int { 0 }
    var isEmpty: Bool { keys.isEmpty }
    mutating func accept(_ key: UInt64) { keys.append(key) }
    func finished(lowerBound: Int) -> Bool { false }
  }

  /// Blocks of queries for `probeBlock`: as large as a core's share allows (a bucket is
  /// read once for every query of the block that probes it), at most `largest` queries,
  /// and as many blocks for every core.
  static func blockChunks(_ count: Int, largest: Int = 4096) -> Int {
    let threads = max(1, ProcessInfo.processInfo.activeProcessorCount)
    return threads * max(1, (count + threads * largest - 1) / (threads * largest))
  }

  /// Runs `body` on chunks of the queries in parallel.
  private func forEachQueryChunk(_ queries: PackedCodes, chunks wanted: Int = 64, _ body: (Range<Int>) -> Void) {
    guard queries.count > 0 else { return }
    let chunks = min(queries.count, wanted)
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
  /// any at s + 1, up to `maximumRadius`) for a block of queries, offering each query's
  /// sink each code below its bound the first time it is met; a query leaves the block
  /// when its sink is finished.
  ///
  /// Each pass (ring s of table j) files the block's buckets in bucket order (a radix sort
  /// of bucket·query keys), so that a bucket's codes come from memory once for all the
  /// block's queries that probe it (random queries share most buckets at the outer rings).
  /// A bucket is scanned for the codes within the query's bound (`sigah_codes_within`);
  /// only those are looked up and offered. A code
  /// met in table j at ring s was met before exactly when an earlier visit covers it: a
  /// table i < j where it differs by ≤ s, or i > j where it differs by ≤ s − 1 — decided
  /// from its code, so no per-code mark is needed.
  private func probeBlock<S: Sink>(
    _ queries: PackedCodes, _ block: Range<Int>, maximumRadius: Int?, into sinks: inout [S]
  ) {
    let m = substrings.count
    let words = codes.wordsPerCode
    let longest = substrings.map(\.length).max()!
    var active = Array(0..<block.count)
    // Each query's bound as its sink last gave it: the comparisons read these, in one array,
    // and reach a sink only for a code within its bound.
    var bounds = sinks.map(\.bound)
    var keys: [UInt64] = []
    var scratch: [UInt64] = []
    let positions = UnsafeMutablePointer<UInt32>.allocate(capacity: max(largestBucket, 1))
    defer { positions.deallocate() }
    queries.words.withUnsafeBufferPointer { queryWords in
      let blockWords = queryWords.baseAddress! + block.lowerBound * words
      var s = 0
      while s <= min(longest, maximumRadius ?? longest) && !active.isEmpty {
        for (j, substring) in substrings.enumerated() where !active.isEmpty {
          keys.removeAll(keepingCapacity: true)
          for local in active {
            let center = Self.value(blockWords + local * words, substring)
            Self.neighbours(of: center, length: substring.length, radius: s) { bucket in
              keys.append(UInt64(bucket) << 32 | UInt64(local))
            }
          }
          Self.sortByBucket(&keys, scratch: &scratch, bits: substring.length)
          offsets[j].withUnsafeBufferPointer { offsets in
            ids[j].withUnsafeBufferPointer { ids in
              tableCodes[j].withUnsafeBufferPointer { table in
                keys.withUnsafeBufferPointer { keys in
                  var first = 0
                  while first < keys.count {
                    let bucket = Int(keys[first] >> 32)
                    var end = first + 1
                    while end < keys.count && Int(keys[end] >> 32) == bucket { end += 1 }
                    let slots = Int(offsets[bucket])..<Int(offsets[bucket + 1])
                    for key in keys[first..<end] {
                      let local = Int(UInt32(truncatingIfNeeded: key))
                      let query = blockWords + local * words
                      self.compare(
                        query, slots, table: table, ids: ids, j: j, s: s, positions: positions, bound: &bounds[local],
                        into: &sinks[local])
                    }
                    first = end
                  }
                }
              }
            }
          }
          // Unseen items differ by ≥ s + 1 on tables 0…j and ≥ s on the rest.
          active.removeAll { sinks[$0].finished(lowerBound: m * s + j + 1) }
        }
        s += 1
      }
    }
  }

  /// Offers `sink` the codes of `slots` of table `j` met at ring `s` that it has not met before.
  @inline(__always)
  private func compare<S: Sink>(
    _ query: UnsafePointer<UInt64>, _ slots: Range<Int>, table: UnsafeBufferPointer<UInt64>,
    ids: UnsafeBufferPointer<UInt32>, j: Int, s: Int, positions: UnsafeMutablePointer<UInt32>,
    bound: inout UInt64, into sink: inout S
  ) {
    let words = codes.wordsPerCode
    @inline(__always) func distance(_ slot: Int) -> Int {
      if words == 1 { return (query[0] ^ table[slot]).nonzeroBitCount }
      var total = 0
      for w in 0..<words { total += (query[w] ^ table[slot * words + w]).nonzeroBitCount }
      return total
    }
    @inline(__always) func metBefore(_ slot: Int) -> Bool {
      guard words == 1 else { return self.metBefore(query, table.baseAddress! + slot * words, table: j, ring: s) }
      let x = query[0] ^ table[slot]
      for i in 0..<substrings.count where i != j {
        let limit = i < j ? s : s - 1
        if limit >= 0 && (x & wordMasks[i]).nonzeroBitCount <= limit { return true }
      }
      return false
    }
    // An empty sink takes any code, but only its `room` nearest of this bucket's new codes
    // can stay: the scan passes on no code farther than the room-th of them. (Once it
    // holds some, those count too; the first bucket, often the largest, is what matters.)
    var within = bound == .max ? UInt32.max : UInt32(truncatingIfNeeded: bound >> 32)
    if bound == .max && sink.isEmpty && slots.count > sink.room {
      within = withUnsafeTemporaryAllocation(of: Int.self, capacity: codes.bits + 1) { histogram in
        histogram.initialize(repeating: 0)
        for slot in slots where !metBefore(slot) { histogram[distance(slot)] += 1 }
        var taken = 0
        for distance in 0...codes.bits {
          taken += histogram[distance]
          if taken >= sink.room { return UInt32(distance) }
        }
        return .max
      }
    }
    // Almost every code is farther than the bound: the C loop (AVX-512 where there is one)
    // passes on only those within it, checked here against the bound as it is.
    let hits = sigah_codes_within(
      table.baseAddress! + slots.lowerBound * words, slots.count, words, query, within, positions)
    for hit in 0..<hits {
      let slot = slots.lowerBound + Int(positions[hit])
      let distance = UInt32(distance(slot))
      if distance > within { continue }
      let key = SmallestKeys.key(distance, index: Int(ids[slot]))
      if key >= bound || metBefore(slot) { continue }
      sink.accept(key)
      bound = sink.bound
      if bound != .max { within = min(within, UInt32(truncatingIfNeeded: bound >> 32)) }
    }
  }

  /// Sorts bucket·query keys by bucket (the high word; `bits` of it at most 24), stably,
  /// in two passes of 12 bits.
  static func sortByBucket(_ keys: inout [UInt64], scratch: inout [UInt64], bits: Int) {
    let passes = bits <= 12 ? 1 : 2
    if scratch.count < keys.count { scratch = [UInt64](repeating: 0, count: keys.count) }
    for pass in 0..<passes {
      let shift = UInt64(32 + 12 * pass)
      var counts = [Int](repeating: 0, count: 4097)
      for key in keys { counts[Int((key >> shift) & 4095) + 1] += 1 }
      for v in 0..<4096 { counts[v + 1] += counts[v] }
      keys.withUnsafeBufferPointer { source in
        scratch.withUnsafeMutableBufferPointer { target in
          for key in source {
            let v = Int((key >> shift) & 4095)
            target[counts[v]] = key
            counts[v] += 1
          }
        }
      }
      keys.withUnsafeMutableBufferPointer { keys in
        scratch.withUnsafeBufferPointer { scratch in
          keys.baseAddress!.update(from: scratch.baseAddress!, count: keys.count)
        }
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
