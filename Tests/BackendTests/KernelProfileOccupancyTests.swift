// The device's occupied time in a profile is the union of its kernels' intervals: kernels
// beside each other (side work on a second queue) count once, gaps not at all.

import Backend
import Testing

struct KernelProfileOccupancyTests {
  @Test(
    arguments: [
      ([(0, 10), (20, 30)], 20),  // apart: both, the gap not
      ([(0, 10), (5, 15)], 15),  // overlapping
      ([(0, 30), (5, 10), (12, 20)], 30),  // nested in a long one
      ([(12, 20), (0, 30), (5, 10)], 30),  // in any order
      ([(0, 10), (10, 20)], 20),  // touching
      ([(3, 3)], 0),
      ([], 0),
    ] as [([(Int, Int)], Int)])
  func occupiedTimeIsTheUnion(_ intervals: [(Int, Int)], expected: Int) {
    #expect(KernelProfile.occupied(intervals.map { (start: $0.0, end: $0.1) }) == expected)
  }
}
