// One setting of the GEMM kernel's compile-time knobs (kernels/matmul.cl), and the choice
// of setting for one product shape. `OpenCLTuning` holds a default setting and, from
// `sigah tune`, a setting for every shape of a training step it timed (CLBlast keeps one
// tuning per kernel and device; a step's 18 products range from 1000×784·50 to 50×784·1000,
// so one setting cannot suit them all).

import Backend

public struct GemmSetting: Sendable, Hashable, Codable, CustomStringConvertible {
  public var variant: OpenCLTuning.GemmVariant
  /// Rows of C each work-item keeps in registers (MWI).
  public var rowsPerItem: Int
  /// Vector width of B and C loads along a row (VWN): 1, 2, 4, 8 or 16.
  public var vectorWidth: Int
  /// Vectors of columns each work-item keeps (NVW); its columns are VWN·NVW.
  public var vectorsPerItem: Int
  /// Work-group shape (MDIMC × NDIMC work-items).
  public var groupRows: Int
  public var groupColumns: Int
  /// K-slice staged in local memory by the tiled variant (KWG).
  public var sliceK: Int
  /// Work-groups that share each tile of C, each over its own run of k (split-K); their
  /// partial products are added in a second launch, in a fixed order. For the narrow, deep
  /// products (`784×50·1000 Aᵀ`), whose few tiles leave most of a GPU idle. 1: no split.
  public var splitK: Int

  public init(
    variant: OpenCLTuning.GemmVariant, rowsPerItem: Int, vectorWidth: Int, vectorsPerItem: Int, groupRows: Int,
    groupColumns: Int, sliceK: Int, splitK: Int = 1
  ) {
    (self.variant, self.rowsPerItem, self.vectorWidth, self.vectorsPerItem) = (
      variant, rowsPerItem, vectorWidth, vectorsPerItem
    )
    (self.groupRows, self.groupColumns, self.sliceK, self.splitK) = (groupRows, groupColumns, sliceK, splitK)
  }

  /// Rows and columns of C a work-group covers.
  public var tileRows: Int { rowsPerItem * groupRows }
  public var tileColumns: Int { vectorWidth * vectorsPerItem * groupColumns }

  /// Local memory of the tiled variant: its A tile (padded by one column against bank
  /// conflicts) and its B tile, one K-slice each.
  public var localMemoryBytes: Int { variant == .tiled ? 4 * sliceK * (tileRows + 1 + tileColumns) : 0 }

  /// The `-D` options of kernels/matmul.cl.
  var buildOptions: String {
    " -DGEMM_LOCAL=\(variant == .tiled ? 1 : 0) -DMWI=\(rowsPerItem) -DVWN=\(vectorWidth)"
      + " -DNVW=\(vectorsPerItem) -DMDIMC=\(groupRows) -DNDIMC=\(groupColumns) -DKWG=\(sliceK)"
      + (splitK > 1 ? " -DSPLIT_K=\(splitK)" : "")
  }

  /// Why this setting cannot run on `device`, or nil when it can.
  public func problem(on device: OpenCLDeviceInfo) -> String? {
    // Bounds first, so that no product below can overflow and no kernel is compiled with
    // loops unrolled past what a compiler finishes (a cached 2³¹ once hung PoCL's).
    for (name, value, most) in [
      ("gemm rows per item", rowsPerItem, 16), ("gemm vectors per item", vectorsPerItem, 16),
      ("gemm group rows", groupRows, 1024), ("gemm group columns", groupColumns, 1024),
      ("gemm slice of k", sliceK, 256), ("gemm split of k", splitK, 64),
    ] where !(1...most).contains(value) {
      return "\(name) \(value) is outside 1…\(most)"
    }
    if ![1, 2, 4, 8, 16].contains(vectorWidth) {
      return "gemm vector width \(vectorWidth) is not 1, 2, 4, 8 or 16"
    }
    if groupRows * groupColumns > device.maxWorkGroupSize {
      return "a gemm work-group of \(groupRows * groupColumns) exceeds the device's limit of \(device.maxWorkGroupSize)"
    }
    if UInt64(localMemoryBytes) > device.localMemoryBytes {
      return "the tiled gemm needs \(localMemoryBytes) bytes of local memory; the device has \(device.localMemoryBytes)"
    }
    return nil
  }

  /// e.g. "tiled 4×4/item (vec4), group 16×16, k 16".
  public var description: String {
    "\(variant.rawValue) \(rowsPerItem)×\(vectorWidth * vectorsPerItem)/item (vec\(vectorWidth)), "
      + "group \(groupRows)×\(groupColumns)" + (variant == .tiled ? ", k \(sliceK)" : "")
      + (splitK > 1 ? ", split-k \(splitK)" : "")
  }
}

/// The setting `sigah tune` chose for one product shape, with the rates it measured.
public struct GemmShapeSetting: Sendable, Equatable, Codable {
  public var shape: GemmShape
  public var setting: GemmSetting
  /// GFLOP/s of the chosen setting, of the device's default setting, and of CLBlast's
  /// SGEMM (when installed) at this shape, measured in the same tuning run.
  public var gflops: Double
  public var defaultGflops: Double
  public var clblastGflops: Double?

  public init(
    shape: GemmShape, setting: GemmSetting, gflops: Double, defaultGflops: Double, clblastGflops: Double? = nil
  ) {
    (self.shape, self.setting, self.gflops, self.defaultGflops, self.clblastGflops) = (
      shape, setting, gflops, defaultGflops, clblastGflops
    )
  }
}
