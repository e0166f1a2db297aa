// sigah_index_*: multi-index hashing (`sigah index`, `sigah search --index`), the same
// answers as the scan without one.

import SiGAH

@_cdecl("sigah_index_build")
public func sigahIndexBuild(
  _ codesPointer: UnsafePointer<UInt8>?, _ count: Int64, _ bits: Int32, _ substrings: Int32,
  _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  guarded("sigah_index_build") {
    let packed = try codes(codesPointer, count: count, bits: bits, name: "codes")
    guard substrings >= 0 else { throw ArgumentError("substrings must be 0 (chosen) or more, got \(substrings)") }
    guard let out else { throw ArgumentError("out is NULL") }
    give(IndexHandle(try MultiIndexHash(codes: packed, substrings: substrings == 0 ? nil : Int(substrings))), to: out)
  }
}

@_cdecl("sigah_index_load")
public func sigahIndexLoad(_ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> Int32 {
  guarded("sigah_index_load") {
    guard let path, let out else { throw ArgumentError("path and out must not be NULL") }
    give(IndexHandle(try MultiIndexHash.read(from: String(cString: path))), to: out)
  }
}

@_cdecl("sigah_index_save")
public func sigahIndexSave(_ index: OpaquePointer?, _ path: UnsafePointer<CChar>?) -> Int32 {
  guarded("sigah_index_save") {
    let index = try object(index, IndexHandle.self, "index").index
    guard let path else { throw ArgumentError("path is NULL") }
    try index.write(to: String(cString: path))
  }
}

@_cdecl("sigah_index_bits")
public func sigahIndexBits(_ index: OpaquePointer?) -> Int32 {
  (try? object(index, IndexHandle.self, "index")).map { Int32($0.index.codes.bits) } ?? -1
}

@_cdecl("sigah_index_count")
public func sigahIndexCount(_ index: OpaquePointer?) -> Int64 {
  (try? object(index, IndexHandle.self, "index")).map { Int64($0.index.codes.count) } ?? -1
}

@_cdecl("sigah_index_substrings")
public func sigahIndexSubstrings(_ index: OpaquePointer?) -> Int32 {
  (try? object(index, IndexHandle.self, "index")).map { Int32($0.index.substrings.count) } ?? -1
}

@_cdecl("sigah_index_search")
public func sigahIndexSearch(
  _ index: OpaquePointer?, _ queries: UnsafePointer<UInt8>?, _ queryCount: Int64, _ k: Int32,
  _ ids: UnsafeMutablePointer<Int32>?, _ distances: UnsafeMutablePointer<Int32>?
) -> Int32 {
  guarded("sigah_index_search") {
    let index = try object(index, IndexHandle.self, "index").index
    let query = try codes(
      queries, count: queryCount, bits: Int32(index.codes.bits), name: "queries", allowEmpty: true)
    guard (1...index.codes.count).contains(Int(k)) else {
      throw ArgumentError("k must be between 1 and the \(index.codes.count) indexed codes, got \(k)")
    }
    let top = try index.search(query, k: Int(k))
    copy(top.ids, into: ids)
    copy(top.distances, into: distances)
  }
}

@_cdecl("sigah_index_range_search")
public func sigahIndexRangeSearch(
  _ index: OpaquePointer?, _ queries: UnsafePointer<UInt8>?, _ queryCount: Int64, _ radius: Int32,
  _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> Int32 {
  guarded("sigah_index_range_search") {
    let index = try object(index, IndexHandle.self, "index").index
    let query = try codes(
      queries, count: queryCount, bits: Int32(index.codes.bits), name: "queries", allowEmpty: true)
    guard radius >= 0 else { throw ArgumentError("radius must be at least 0, got \(radius)") }
    guard let out else { throw ArgumentError("out is NULL") }
    let matches = try index.within(min(Int(radius), index.codes.bits), queries: query)
    give(MatchesHandle(matches, queries: query.count), to: out)
  }
}

@_cdecl("sigah_index_free")
public func sigahIndexFree(_ index: OpaquePointer?) { release(index) }
