// Exact ground truth: equal to brute force, and to the published siftsmall file.

import Backend
import Testing

@testable import SiGAH

@Suite struct GroundTruthTests {
  @Test func equalsBruteForceOnRandomData() throws {
    var generator = SeededGenerator(seed: 21)
    // Integer-valued coordinates make exact ties common, so the tie order is tested too.
    let database = Matrix(rows: 700, columns: 9, values: (0..<6300).map { _ in Float(Int(generator.next() % 4)) })
    let queries = Matrix(rows: 37, columns: 9, values: (0..<333).map { _ in Float(Int(generator.next() % 4)) })
    let k = 25
    // Small blocks, so the blocking and the merge across blocks are exercised.
    let ids = try GroundTruth.compute(
      queries: queries, database: database, k: k, backend: try CPUBackend(), queryBlock: 8, databaseBlock: 100)
    for q in 0..<queries.rows {
      var all: [(distance: Double, id: Int32)] = []
      for i in 0..<database.rows { all.append((GroundTruth.squaredDistance(queries[q], database[i]), Int32(i))) }
      all.sort { a, b in a.distance < b.distance || (a.distance == b.distance && a.id < b.id) }
      let brute = all.prefix(k).map(\.id)
      #expect(Array(ids[(q * k)..<((q + 1) * k)]) == brute, "query \(q)")
    }
  }

  /// Cosine and inner product against a Float64 brute force, ties by index, with the
  /// norms of the rows spread over two orders of magnitude (where cosine and inner product
  /// disagree with each other and with l2).
  @Test(arguments: [Metric.cosine, .ip])
  func otherMetricsEqualBruteForce(_ metric: Metric) throws {
    var generator = SeededGenerator(seed: 5)
    let database = Matrix(
      rows: 500, columns: 7,
      values: (0..<3500).map { index in
        Float(generator.uniform() * 2 - 1) * Float(1 + (index / 7) % 100)
      })
    let queries = Matrix(rows: 23, columns: 7, values: (0..<161).map { _ in Float(generator.uniform() * 2 - 1) })
    let k = 20
    let ids = try GroundTruth.compute(
      queries: queries, database: database, k: k, backend: try CPUBackend(), metric: metric, queryBlock: 8,
      databaseBlock: 64)
    let euclidean = try GroundTruth.compute(queries: queries, database: database, k: k, backend: try CPUBackend())
    #expect(ids != euclidean, "the metric changes the neighbours")
    func dot(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Double {
      zip(a, b).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    for q in 0..<queries.rows {
      let scores: [(score: Double, id: Int32)] = (0..<database.rows).map { i in
        let value = dot(queries[q], database[i])
        let score = metric == .ip ? value : value / (dot(database[i], database[i]).squareRoot())
        return (score, Int32(i))
      }
      let brute = scores.sorted { $0.score > $1.score || ($0.score == $1.score && $0.id < $1.id) }.prefix(k).map(\.id)
      #expect(Array(ids[(q * k)..<((q + 1) * k)]) == brute, "\(metric) query \(q)")
    }
  }

  @Test func reproducesSiftsmallGroundTruth() throws {
    let base = try TexmexFormat.readVectors(TestData.siftBase)
    let queries = try TexmexFormat.readVectors(TestData.siftQueries)
    let published = try TexmexFormat.readIntegers(TestData.siftGroundTruth)
    #expect(published.rows == 100 && published.dimension == 100)
    let k = published.dimension
    let ours = try GroundTruth.compute(queries: queries, database: base, k: k, backend: try CPUBackend())
    var rowsOrderedDifferently = 0
    for q in 0..<queries.rows {
      let mine = Array(ours[(q * k)..<((q + 1) * k)])
      let theirs = Array(published.values[(q * k)..<((q + 1) * k)])
      if mine != theirs { rowsOrderedDifferently += 1 }
      // Same distance at every rank, and the same ids strictly inside the k-th distance.
      let distance = { (id: Int32) in GroundTruth.squaredDistance(queries[q], base[Int(id)]) }
      #expect(mine.map(distance) == theirs.map(distance), "query \(q)")
      let kth = distance(theirs[k - 1])
      #expect(Set(mine.filter { distance($0) < kth }) == Set(theirs.filter { distance($0) < kth }), "query \(q)")
    }
    // The data README: 9 of the 100 rows order exact ties differently.
    #expect(rowsOrderedDifferently <= 9)
  }
}
