// Compile-time tuning of the kernels, passed as `#define`s that override the `#ifndef`
// defaults in kernels/*.cl (CLBlast's convention). `sigah tune` chooses them per device
// and caches them (TuningCache); without a cache, `defaults(for:)` is safe everywhere.

import Backend
import Foundation

public struct OpenCLTuning: Sendable, Equatable, Codable, CustomStringConvertible {
  /// How the GEMM reaches its operands.
  public enum GemmVariant: String, Sendable, Codable, CaseIterable {
    /// Each work-item reads A and B from global memory into registers (CPU caches, and
    /// GPUs with large L1s, serve the reuse).
    case direct
    /// A work-group stages K-slices of its A and B tiles in local memory first.
    case tiled
  }

  public var gemmVariant: GemmVariant = .direct
  /// Rows of C each work-item keeps in registers (MWI).
  public var gemmRowsPerItem = 8
  /// Vector width of B and C loads along a row (VWN): 1, 2, 4, 8 or 16.
  public var gemmVectorWidth = 8
  /// Vectors of columns each work-item keeps (NVW); its columns are VWN·NVW.
  public var gemmVectorsPerItem = 1
  /// Work-group shape (MDIMC × NDIMC work-items).
  public var gemmGroupRows = 1
  public var gemmGroupColumns = 1
  /// K-slice staged in local memory by the tiled variant (KWG).
  public var gemmSliceK = 16
  /// Work-group size of the reductions; a power of two.
  public var reductionGroupSize = 64
  /// Work-group size of the Hamming top-k (one work-group a block of queries); a power of two. One
  /// work-item a query is fastest on CPU devices (measured on PoCL: 4,594 against 1,237
  /// queries/s at 64 over 100,000 codes), whose barriers cost a loop each. The ranking
  /// kernel (average precision, one work-group a query too) and the radius search use the
  /// same size.
  public var hammingGroupSize = 1
  /// Columns of a column-sum work-group (bias gradients), and row lanes per column: one
  /// lane is a serial loop over the rows, fine for CPU threads; a GPU needs several lanes
  /// or a batch of 500 rows is 500 dependent loads (measured on an H200: see BENCHMARKS.md).
  public var columnGroupColumns = 16
  public var columnGroupRows = 1
  /// Settings for particular product shapes (transposes included), from `sigah tune`;
  /// every other shape uses the setting above. Absent in caches written before per-shape
  /// tuning, which still load.
  public var gemmShapes: [GemmShapeSetting]?
  /// Whether side work (a step's graph term) runs on a second queue; nil: on GPUs only
  /// (`OpenCLBackend.usesSideQueue`). Absent in older caches.
  public var sideQueue: Bool?

  public init() {}

  /// The encoding kernel's variant follows the GEMM's: lanes sharing slices in local
  /// memory where the GEMM tiles (GPUs), a work-item's rows in vector registers where it
  /// reads directly (CPU devices).
  public var encodeInLocalMemory: Bool { gemmVariant == .tiled }
  /// Rows a work-group (local variant) or a work-item (direct) of the encoding codes.
  public var encodeRows: Int { encodeInLocalMemory ? 16 : 4 }

  /// The GEMM knobs above as one setting.
  public var gemm: GemmSetting {
    get {
      GemmSetting(
        variant: gemmVariant, rowsPerItem: gemmRowsPerItem, vectorWidth: gemmVectorWidth,
        vectorsPerItem: gemmVectorsPerItem, groupRows: gemmGroupRows, groupColumns: gemmGroupColumns,
        sliceK: gemmSliceK)
    }
    set {
      // Split-K is chosen per shape: a deep product's split would slow a shallow one.
      precondition(newValue.splitK == 1, "the default GEMM setting does not split k")
      (gemmVariant, gemmRowsPerItem, gemmVectorWidth, gemmVectorsPerItem) = (
        newValue.variant, newValue.rowsPerItem, newValue.vectorWidth, newValue.vectorsPerItem
      )
      (gemmGroupRows, gemmGroupColumns, gemmSliceK) = (newValue.groupRows, newValue.groupColumns, newValue.sliceK)
    }
  }

  /// Safe starting points: the direct kernel for CPUs (measured on PoCL), 64 × 64 tiles
  /// of 16 × 16 work-items in local memory for GPUs.
  public static func defaults(for device: OpenCLDeviceInfo) -> OpenCLTuning {
    var tuning = OpenCLTuning()
    if device.isGPU {
      tuning.gemmVariant = .tiled
      tuning.gemmRowsPerItem = 4
      tuning.gemmVectorWidth = 4
      tuning.gemmVectorsPerItem = 1
      tuning.gemmGroupRows = 16
      tuning.gemmGroupColumns = 16
      tuning.gemmSliceK = 16
      tuning.reductionGroupSize = 256
      tuning.hammingGroupSize = 256
      tuning.columnGroupColumns = 32
      tuning.columnGroupRows = 8
    }
    return tuning
  }

  /// Why these settings cannot run on `device`, or nil when they can.
  public func problem(on device: OpenCLDeviceInfo) -> String? {
    // Bounds first, so that no product below can overflow and no kernel is compiled with
    // loops unrolled past what a compiler finishes (a cached 2³¹ once hung PoCL's).
    if let problem = gemm.problem(on: device) { return problem }
    for entry in gemmShapes ?? [] {
      if let problem = entry.setting.problem(on: device) { return "at \(entry.shape): \(problem)" }
    }
    for (name, value, most) in [
      ("reduction group size", reductionGroupSize, 4096),
      ("hamming group size", hammingGroupSize, 4096), ("column group columns", columnGroupColumns, 1024),
      ("column group rows", columnGroupRows, 1024),
    ] where !(1...most).contains(value) {
      return "\(name) \(value) is outside 1…\(most)"
    }
    let powerOfTwo = { (value: Int) in value > 0 && value & (value - 1) == 0 }
    if !powerOfTwo(reductionGroupSize) || reductionGroupSize > device.maxWorkGroupSize {
      return "reduction group size \(reductionGroupSize) is not a power of two within \(device.maxWorkGroupSize)"
    }
    if !powerOfTwo(hammingGroupSize) || hammingGroupSize > device.maxWorkGroupSize {
      return "hamming group size \(hammingGroupSize) is not a power of two within \(device.maxWorkGroupSize)"
    }
    if columnGroupColumns < 1 || !powerOfTwo(columnGroupRows)
      || columnGroupColumns * columnGroupRows > device.maxWorkGroupSize
    {
      return "column-sum groups of \(columnGroupColumns) columns × \(columnGroupRows) row lanes (a power of two) "
        + "must fit the device's limit of \(device.maxWorkGroupSize)"
    }
    return nil
  }

  /// The `#define`s for a kernel file: each file gets the knobs it reads; the GEMM's are
  /// `gemm`'s when given (a shape's own setting), else the default setting's.
  func buildOptions(for file: String, gemm setting: GemmSetting? = nil) -> String {
    var options = "-cl-std=CL1.2"
    switch file {
    case "matmul": options += (setting ?? gemm).buildOptions
    case "reductions":
      options += " -DREDUCE_WG=\(reductionGroupSize)" + columnOptions
    case "graph", "step_losses", "selection", "optim": options += " -DREDUCE_WG=\(reductionGroupSize)"
    case "activations": options += columnOptions
    case "hamming":
      options += " -DHAMMING_WG=\(hammingGroupSize) -DHAMMING_QUERIES=\(OpenCLBackend.hammingMostQueriesPerGroup)"
    case "hamming_within":
      options += " -DWITHIN_WG=\(hammingGroupSize) -DWITHIN_QUERIES=\(OpenCLBackend.withinMostQueriesPerGroup)"
    case "ranking": options += " -DRANKING_WG=\(hammingGroupSize)"
    case "encode": options += " -DENCODE_LOCAL=\(encodeInLocalMemory ? 1 : 0) -DENCODE_ROWS=\(encodeRows)"
    default: break
    }
    return options
  }

  private var columnOptions: String { " -DCOLUMN_WG_COLUMNS=\(columnGroupColumns) -DCOLUMN_WG_ROWS=\(columnGroupRows)" }

  public var description: String {
    "gemm \(gemmVariant.rawValue) \(gemmRowsPerItem)×\(gemmVectorWidth * gemmVectorsPerItem) per item "
      + "(vectors of \(gemmVectorWidth)), groups \(gemmGroupRows)×\(gemmGroupColumns)"
      + (gemmVariant == .tiled ? ", k-slice \(gemmSliceK)" : "")
      + "; reduction group \(reductionGroupSize); hamming group \(hammingGroupSize)"
      + "; column sums \(columnGroupColumns) columns × \(columnGroupRows) lanes"
      + "; encoding \(encodeInLocalMemory ? "in local memory" : "direct"), \(encodeRows) rows"
      + (gemmShapes.map { "; \($0.count) shapes with their own gemm setting" } ?? "")
      + (sideQueue.map { "; side queue \($0 ? "on" : "off")" } ?? "")
  }
}
