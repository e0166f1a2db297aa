// OpenBLAS's process-wide state, owned in one place: which core's kernels it runs and how
// many threads it uses. Both are set before the first BLAS or LAPACK call of the process
// and never changed under a running call.

import CCPUFeatures
import COpenBLAS
import Foundation

/// How OpenBLAS's core was settled, for `sigah devices` and `sigah bench`.
public struct OpenBLASCore: Sendable, Equatable {
  /// Where the core in effect came from.
  public enum Origin: String, Sendable, Equatable {
    /// OpenBLAS's own detection, which suits the processor.
    case detected
    /// `OPENBLAS_CORETYPE`, set by the user: always kept.
    case environment
    /// sigah's choice from the processor's instruction sets, where OpenBLAS's detection
    /// fell short of them (an unrecognised model falls back to SSE3 "Prescott").
    case chosen
  }

  /// The core in effect, as OpenBLAS names it ("SkylakeX", "Haswell", …).
  public var name: String
  /// The core OpenBLAS detected on its own.
  public var detected: String
  public var origin: Origin

  /// e.g. "SkylakeX (chosen by sigah: OpenBLAS detected Prescott, the CPU has AVX-512)".
  public var description: String {
    switch origin {
    case .detected: return "\(name) (detected by OpenBLAS)"
    case .environment: return "\(name) (set by OPENBLAS_CORETYPE)"
    case .chosen: return "\(name) (chosen by sigah: OpenBLAS detected \(detected), the CPU has \(Self.level(of: name)))"
    }
  }

  /// The widest vector instructions a core's kernels use.
  public enum Level: Int, Comparable, Sendable, CustomStringConvertible {
    case sse = 0
    case avx, avx2, avx512

    public static func < (a: Level, b: Level) -> Bool { a.rawValue < b.rawValue }

    public var description: String {
      switch self {
      case .sse: return "SSE only"
      case .avx: return "AVX"
      case .avx2: return "AVX2 and FMA"
      case .avx512: return "AVX-512"
      }
    }
  }

  /// The instruction level of one of OpenBLAS's x86-64 cores (by the name it reports).
  public static func level(of core: String) -> Level {
    switch core.lowercased() {
    case "skylakex", "cooperlake", "sapphirerapids": return .avx512
    case "haswell", "zen", "excavator": return .avx2
    case "sandybridge", "bulldozer", "piledriver", "steamroller": return .avx
    default: return .sse
    }
  }

  /// The core whose kernels fit a processor with the `SIGAH_CPU_*` flags `features`, and
  /// its level; nil where nothing beyond SSE fits.
  public static func fitting(features: Int32) -> (name: String, level: Level)? {
    let has = { (flag: Int) in features & Int32(flag) != 0 }
    if has(SIGAH_CPU_AVX512) { return (has(SIGAH_CPU_AVX512_BF16) ? "Cooperlake" : "SkylakeX", .avx512) }
    if has(SIGAH_CPU_AVX2_FMA) { return (has(SIGAH_CPU_VENDOR_AMD) ? "Zen" : "Haswell", .avx2) }
    if has(SIGAH_CPU_AVX) { return ("Sandybridge", .avx) }
    return nil
  }

  /// The rule: the user's `OPENBLAS_CORETYPE` wins; otherwise OpenBLAS's detection stands
  /// unless its core uses narrower instructions than the processor has, in which case the
  /// core that fits the processor is wanted. Returns the core to switch to, or nil to keep.
  public static func wanted(detected: String, features: Int32, environment: String?) -> String? {
    if let environment, !environment.isEmpty { return nil }
    guard let fit = fitting(features: features), level(of: detected) < fit.level else { return nil }
    return fit.name
  }
}

/// The owner of OpenBLAS's process-wide settings.
public enum OpenBLASRuntime {
  /// The core in effect, settled on first use: every CPU backend, LAPACK call and command
  /// asks for it before touching OpenBLAS, so a switch happens before any BLAS call.
  public static var core: OpenBLASCore { settledCore }

  private static let settledCore: OpenBLASCore = settleCore()

  /// Makes OpenBLAS start from this core as if its detection had picked it (tests, and a
  /// user who wants to see what happens on a VM that hides its processor's model). It acts
  /// at load, before any code of the process runs (CCPUFeatures' constructor).
  public static let emulatedDetectionVariable = "SIGAH_OPENBLAS_EMULATE_DETECTION"

  private static func settleCore() -> OpenBLASCore {
    let detected = currentCoreName()
    let environment = ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"]
    if let environment, !environment.isEmpty {
      return OpenBLASCore(name: detected, detected: detected, origin: .environment)
    }
    guard let target = OpenBLASCore.wanted(detected: detected, features: sigah_cpu_features(), environment: nil),
      switchCore(to: target)
    else { return OpenBLASCore(name: detected, detected: detected, origin: .detected) }
    let now = currentCoreName()
    return OpenBLASCore(name: now, detected: detected, origin: now == detected ? .detected : .chosen)
  }

  private static func currentCoreName() -> String {
    guard let name = openblas_get_corename() else { return "unknown" }
    return String(cString: name)
  }

  /// Re-runs OpenBLAS's dynamic-architecture selection with `OPENBLAS_CORETYPE` set to
  /// `core` for the duration (it reads the variable only there), then restores the
  /// environment (and its array, which a static build's arguments are found through) so
  /// that child processes decide for themselves. False where the library
  /// is not a DYNAMIC_ARCH build (the entry points are missing).
  private static func switchCore(to core: String) -> Bool {
    guard let initSymbol = openBLASSymbol("gotoblas_dynamic_init"),
      let quitSymbol = openBLASSymbol("gotoblas_dynamic_quit")
    else { return false }
    typealias Entry = @convention(c) () -> Void
    let quit = unsafeBitCast(quitSymbol, to: Entry.self)
    quit()
    sigah_with_environment_variable("OPENBLAS_CORETYPE", core, unsafeBitCast(initSymbol, to: Entry.self))
    return true
  }

  /// A symbol of the OpenBLAS that sigah is linked with: asked of that library's own
  /// handle first (its soname), since in a library loaded privately (libsigahc under
  /// Python's ctypes, RTLD_LOCAL) the global scope may hold another BLAS (a NumPy wheel's
  /// OpenBLAS) or none; then of the global scope, as in an executable.
  private static func openBLASSymbol(_ name: String) -> UnsafeMutableRawPointer? {
    for soname in ["libopenblas.so.0", "libopenblas.so"] {
      // RTLD_NOLOAD: the library already in the process, never a second copy.
      if let handle = dlopen(soname, RTLD_LAZY | RTLD_NOLOAD), let symbol = dlsym(handle, name) { return symbol }
    }
    return dlsym(nil, name)
  }

  // MARK: Threads

  private static let threadLock = NSLock()
  nonisolated(unsafe) private static var claimedThreads: Int?

  /// How long OpenBLAS's idle threads spin before they sleep, as log2 of cycles (OpenBLAS
  /// built in 28), and whether sigah chose it at load (OPENBLAS_THREAD_TIMEOUT unset; see
  /// cpu_features.c). Nil when this OpenBLAS does not say.
  public static var threadTimeout: (log2Cycles: Int, chosenBySigah: Bool)? {
    // OpenBLAS keeps the value it read and clamps it to 4…30 when it starts its threads.
    let value = Int(sigah_openblas_thread_timeout())
    return value > 0 ? (min(max(value, 4), 30), sigah_chose_openblas_thread_timeout() != 0) : nil
  }

  /// OpenBLAS's thread count now, read without claiming it (tests).
  public static var threadsNow: Int { Int(openblas_get_num_threads()) }

  /// Sets OpenBLAS's thread count for the process, once: the first request wins, `nil`
  /// (the count OpenBLAS started with) included, and later ones leave it as it is. Every
  /// backend and LAPACK call asks before its first BLAS call, so the count never changes
  /// once a product has run: changing it while another thread is inside a BLAS call
  /// corrupts OpenBLAS's shared buffers, and OpenBLAS's sums (GEMMs with a deep inner
  /// dimension, LAPACK) depend on its thread count, so a change between two calls would
  /// also give them different bits. Returns the count in effect.
  @discardableResult
  public static func requestThreads(_ threads: Int?) -> Int {
    _ = core
    threadLock.lock()
    defer { threadLock.unlock() }
    if claimedThreads == nil {
      if let threads { openblas_set_num_threads(Int32(threads)) }
      claimedThreads = threads ?? Int(openblas_get_num_threads())
    }
    return Int(openblas_get_num_threads())
  }
}
