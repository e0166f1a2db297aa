// How the radius search cuts the database among work-groups (Sources/OpenCL/
// HammingWithin.swift): four groups a compute unit where the queries alone leave units
// idle, never a lane with fewer than 16 codes. The results are the parity suite's
// (`hammingWithin` cases, several chunks among them).

import Testing

@testable import OpenCL

struct HammingWithinChunkTests {
  @Test func fewQueriesSplitTheDatabase() {
    // One group of queries on 132 units: 244 chunks of a million codes (of the 528 wanted,
    // as many as give each of 256 lanes 16 codes); 33 groups of queries: 16 chunks.
    #expect(
      OpenCLBackend.withinChunks(databaseCount: 1_000_000, queryGroups: 1, lanes: 256, computeUnits: 132) == 244)
    #expect(
      OpenCLBackend.withinChunks(databaseCount: 1_000_000, queryGroups: 33, lanes: 256, computeUnits: 132) == 16)
  }

  @Test func manyQueriesKeepTheDatabaseWhole() {
    #expect(OpenCLBackend.withinChunks(databaseCount: 1_000_000, queryGroups: 64, lanes: 256, computeUnits: 16) == 1)
  }

  @Test func shortDatabasesAreNotCutBelowALanesWorth() {
    #expect(OpenCLBackend.withinChunks(databaseCount: 20_000, queryGroups: 1, lanes: 256, computeUnits: 132) == 4)
    #expect(OpenCLBackend.withinChunks(databaseCount: 2_000, queryGroups: 1, lanes: 256, computeUnits: 132) == 1)
    #expect(OpenCLBackend.withinChunks(databaseCount: 500, queryGroups: 1, lanes: 1, computeUnits: 2) == 8)
  }

  @Test func matchesAreOrderedByDistanceThenIndexWithinEachQuery() {
    let ordered = OpenCLBackend.inDistanceOrder(
      offsets: [0, 3, 3, 5], ids: [9, 2, 4, 7, 1], distances: [1, 2, 1, 0, 0])
    #expect(ordered.ids == [4, 9, 2, 1, 7])
    #expect(ordered.distances == [1, 1, 2, 0, 0])
    #expect(ordered.offsets == [0, 3, 3, 5])
  }
}
