// The one k-smallest selection of the library (as Faiss's utils/Heap.h serves all of its
// indexes): a bounded max-heap of 64-bit keys `value << 32 | index`, so that comparing
// keys orders by value and then by index — ties go to the smaller index everywhere
// (METHOD.md §4). Values are 32-bit: a Hamming distance, or a non-negative Float's bit
// pattern, which orders as the Float does.

public struct SmallestKeys: Sendable {
  public let capacity: Int
  @usableFromInline var heap: [UInt64]

  public init(capacity: Int) {
    precondition(capacity >= 1)
    self.capacity = capacity
    heap = []
    heap.reserveCapacity(capacity)
  }

  /// The key of `index` at an integer `value`.
  @inlinable @inline(__always)
  public static func key(_ value: UInt32, index: Int) -> UInt64 {
    UInt64(value) << 32 | UInt64(UInt32(truncatingIfNeeded: index))
  }

  /// The key of `index` at a distance ≥ 0 (a negative one, −0 included, counts as 0).
  @inlinable @inline(__always)
  public static func key(_ distance: Float, index: Int) -> UInt64 {
    key(distance > 0 ? distance.bitPattern : 0, index: index)
  }

  @inlinable @inline(__always)
  public static func index(of key: UInt64) -> Int32 { Int32(truncatingIfNeeded: key & 0xFFFF_FFFF) }

  @inlinable @inline(__always)
  public static func value(of key: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: key >> 32) }

  @inlinable public var count: Int { heap.count }
  @inlinable public var isFull: Bool { heap.count == capacity }
  /// The largest key kept: an offer must be smaller to enter a full heap.
  @inlinable public var worst: UInt64 { heap.isEmpty ? .max : heap[0] }

  public mutating func removeAll() { heap.removeAll(keepingCapacity: true) }

  /// Keeps `key` if it is among the `capacity` smallest offered so far.
  @inlinable @inline(__always)
  public mutating func offer(_ key: UInt64) {
    if heap.count < capacity {
      heap.append(key)
      heap.withUnsafeMutableBufferPointer { Self.siftUp($0, from: $0.count - 1) }
    } else if key < heap[0] {
      heap.withUnsafeMutableBufferPointer { Self.replaceTop($0, with: key) }
    }
  }

  /// The kept keys, smallest first.
  public func sorted() -> [UInt64] { heap.sorted() }

  @inlinable @inline(__always)
  static func siftUp(_ heap: UnsafeMutableBufferPointer<UInt64>, from start: Int) {
    var child = start
    let key = heap[child]
    while child > 0 {
      let parent = (child - 1) / 2
      if heap[parent] >= key { break }
      heap[child] = heap[parent]
      child = parent
    }
    heap[child] = key
  }

  /// Replaces the largest key and sifts it down.
  @inlinable @inline(__always)
  static func replaceTop(_ heap: UnsafeMutableBufferPointer<UInt64>, with key: UInt64) {
    let count = heap.count
    var parent = 0
    while true {
      let left = 2 * parent + 1
      if left >= count { break }
      var child = left
      if left + 1 < count && heap[left + 1] > heap[left] { child = left + 1 }
      if heap[child] <= key { break }
      heap[parent] = heap[child]
      parent = child
    }
    heap[parent] = key
  }
}
