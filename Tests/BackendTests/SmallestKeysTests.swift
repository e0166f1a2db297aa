// The one k-smallest selection against a full sort, with many ties: the same keys, ties by
// the smaller index, whatever the order of the offers.

import Backend
import Testing

struct SmallestKeysTests {
  @Test(arguments: [1, 7, 100, 1000])
  func keepsTheSmallestWithTiesByIndex(capacity: Int) {
    var generator = SeededGenerator(seed: UInt64(capacity))
    // Distances in 0..<20 over 2,000 items: every value is tied many times.
    let distances = (0..<2000).map { _ in UInt32(generator.next() % 20) }
    let expected = distances.enumerated().sorted { ($0.element, $0.offset) < ($1.element, $1.offset) }
      .prefix(capacity).map { SmallestKeys.key($0.element, index: $0.offset) }
    var kept = SmallestKeys(capacity: capacity)
    for index in generator.permutation(distances.count) { kept.offer(SmallestKeys.key(distances[index], index: index)) }
    #expect(kept.sorted() == expected)
    #expect(kept.worst == expected.last)
  }

  @Test func floatKeysOrderAsTheFloats() {
    let values: [Float] = [3.5, 0, -0.0, 1e-30, 2, 2, 1e30, -1]
    var kept = SmallestKeys(capacity: values.count)
    for (index, value) in values.enumerated() { kept.offer(SmallestKeys.key(value, index: index)) }
    // Negative values and −0 count as 0, then the ties go by index.
    #expect(kept.sorted().map(SmallestKeys.index(of:)) == [1, 2, 7, 3, 4, 5, 0, 6])
  }
}
