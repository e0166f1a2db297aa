// The upload staging ring (Sources/OpenCL/StagingArea.swift): uploads larger than the
// ring go in pieces, many uploads in flight wrap around it, and every byte arrives; on
// PoCL the ring is pinned memory.

import Backend
import OpenCL
import Testing

@Suite(.enabled(if: OpenCLUnderTest.shouldRun, "skipped: no OpenCL device here and CI is not set"))
struct StagingAreaTests {
  static func values(_ count: Int, seed: Int) -> [Float] { (0..<count).map { Float(($0 &* 7919 &+ seed) % 65_521) } }

  @Test func theRingIsPinnedWhereTheDriverMapsIt() throws {
    // PoCL, like NVIDIA's driver, maps a CL_MEM_ALLOC_HOST_PTR buffer.
    #expect(try OpenCLUnderTest.backend().stagingIsPinned)
  }

  @Test func anUploadLargerThanTheRingArrivesWhole() throws {
    let backend = try OpenCLUnderTest.backend()
    let count = 11 << 20  // 44 MB against a 32 MB ring
    let expected = Self.values(count, seed: 1)
    let buffer = try backend.makeBuffer(Float.self, count: count + 5)
    try backend.upload(expected, to: buffer, offset: 5)
    #expect(try backend.download(buffer, offset: 5, count: count) == expected)
  }

  @Test func manyUploadsInFlightWrapAroundTheRing() throws {
    let backend = try OpenCLUnderTest.backend()
    // 24 uploads of 3 MB plus odd bytes, none read until all are queued: 72 MB through 32.
    let counts = (0..<24).map { (3 << 18) + 13 * $0 + 1 }
    let buffers = try counts.map { try backend.makeBuffer(Float.self, count: $0) }
    for (index, (count, buffer)) in zip(counts, buffers).enumerated() {
      try backend.upload(Self.values(count, seed: index), to: buffer)
    }
    for (index, (count, buffer)) in zip(counts, buffers).enumerated() {
      #expect(try backend.download(buffer) == Self.values(count, seed: index), "upload \(index)")
    }
  }
}
