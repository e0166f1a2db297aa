// sigah_search, sigah_range_search and sigah_matches_*: exact Hamming search by a scan on
// the backend, as `sigah search --database` answers it.

import SiGAH

@_cdecl("sigah_search")
public func sigahSearch(
  _ backend: OpaquePointer?, _ database: UnsafePointer<UInt8>?, _ databaseCount: Int64,
  _ queries: UnsafePointer<UInt8>?, _ queryCount: Int64, _ bits: Int32, _ k: Int32,
  _ ids: UnsafeMutablePointer<Int32>?, _ distances: UnsafeMutablePointer<Int32>?
) -> Int32 {
  guarded("sigah_search") {
    let backend = try object(backend, BackendHandle.self, "backend").backend
    let base = try codes(database, count: databaseCount, bits: bits, name: "database")
    let query = try codes(queries, count: queryCount, bits: bits, name: "queries", allowEmpty: true)
    guard (1...base.count).contains(Int(k)) else {
      throw ArgumentError("k must be between 1 and the \(base.count) database codes, got \(k)")
    }
    let top = try HammingScan.topK(query, in: base, k: Int(k), backend: backend)
    copy(top.ids, into: ids)
    copy(top.distances, into: distances)
  }
}

@_cdecl("sigah_range_search")
public func sigahRangeSearch(
  _ backend: OpaquePointer?, _ database: UnsafePointer<UInt8>?, _ databaseCount: Int64,
  _ queries: UnsafePointer<UInt8>?, _ queryCount: Int64, _ bits: Int32, _ radius: Int32,
  _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  guarded("sigah_range_search") {
    let backend = try object(backend, BackendHandle.self, "backend").backend
    let base = try codes(database, count: databaseCount, bits: bits, name: "database")
    let query = try codes(queries, count: queryCount, bits: bits, name: "queries", allowEmpty: true)
    guard radius >= 0 else { throw ArgumentError("radius must be at least 0, got \(radius)") }
    guard let out else { throw ArgumentError("out is NULL") }
    // Past the code length every code is within reach: the same answer.
    let matches = try RadiusSearch.within(min(Int(radius), Int(bits)), queries: query, database: base, backend: backend)
    give(MatchesHandle(matches, queries: query.count), to: out)
  }
}

func copy(_ values: [Int32], into destination: UnsafeMutablePointer<Int32>?) {
  guard let destination else { return }
  values.withUnsafeBufferPointer { destination.update(from: $0.baseAddress!, count: values.count) }
}

@_cdecl("sigah_matches_count")
public func sigahMatchesCount(_ matches: OpaquePointer?) -> Int64 {
  (try? object(matches, MatchesHandle.self, "matches")).map { Int64($0.count) } ?? -1
}

@_cdecl("sigah_matches_limits")
public func sigahMatchesLimits(_ matches: OpaquePointer?) -> UnsafePointer<Int64>? {
  (try? object(matches, MatchesHandle.self, "matches")).map { UnsafePointer($0.limits) }
}

@_cdecl("sigah_matches_ids")
public func sigahMatchesIds(_ matches: OpaquePointer?) -> UnsafePointer<Int32>? {
  (try? object(matches, MatchesHandle.self, "matches")).map { UnsafePointer($0.ids) }
}

@_cdecl("sigah_matches_distances")
public func sigahMatchesDistances(_ matches: OpaquePointer?) -> UnsafePointer<Int32>? {
  (try? object(matches, MatchesHandle.self, "matches")).map { UnsafePointer($0.distances) }
}

@_cdecl("sigah_matches_free")
public func sigahMatchesFree(_ matches: OpaquePointer?) { release(matches) }
