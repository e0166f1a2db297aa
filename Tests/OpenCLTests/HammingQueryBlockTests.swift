// How many queries a work-group of the Hamming top-k scores together (Sources/OpenCL/
// Hamming.swift): as many as share a database read, no compute unit left idle, within
// local memory. The results themselves are the parity suite's (`hammingTopK` cases).

import Testing

@testable import OpenCL

struct HammingQueryBlockTests {
  let device = OpenCLDeviceInfo.standIn(maxWorkGroupSize: 256, localMemoryBytes: 32 * 1024)

  @Test func manyQueriesFillABlock() {
    #expect(OpenCLBackend.hammingQueriesPerGroup(queryCount: 1000, bits: 64, lanes: 256, on: device) == 16)
  }

  @Test func fewQueriesTakeOneBlockEach() {
    #expect(OpenCLBackend.hammingQueriesPerGroup(queryCount: 3, bits: 64, lanes: 256, on: device) == 3)
    #expect(OpenCLBackend.hammingQueriesPerGroup(queryCount: 1, bits: 64, lanes: 1, on: device) == 1)
  }

  @Test func longCodesShrinkTheBlockToFitLocalMemory() {
    let queries = OpenCLBackend.hammingQueriesPerGroup(queryCount: 1000, bits: 1024, lanes: 256, on: device)
    #expect(queries == 4)
    #expect(OpenCLBackend.hammingLocalBytes(queries: 4, bits: 1024, lanes: 256) <= device.localMemoryBytes)
    #expect(OpenCLBackend.hammingLocalBytes(queries: 8, bits: 1024, lanes: 256) > device.localMemoryBytes)
  }

  @Test func codesTooLongForOneHistogramAreRefused() {
    let small = OpenCLDeviceInfo.standIn(maxWorkGroupSize: 256, localMemoryBytes: 4096)
    #expect(OpenCLBackend.hammingQueriesPerGroup(queryCount: 10, bits: 1024, lanes: 256, on: small) == nil)
  }
}
