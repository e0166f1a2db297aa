// Built with -sanitize=fuzzer -DFUZZING (scripts/fuzz.sh), main hands the inputs to
// libFuzzer's driver (LLVMFuzzerRunDriver, so the executable keeps its own main); built
// plainly, the same target replays files given as arguments (a crash libFuzzer saved, or a
// seed), so a reproducer runs without the fuzzer.

import Foundation

#if FUZZING
  @_silgen_name("LLVMFuzzerRunDriver")
  func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
  ) -> Int32
#endif

@main
struct FuzzEntry {
  static func main() throws {
    let target = FuzzTarget.current
    #if FUZZING
      _ = target
      var argc = CommandLine.argc
      var argv = CommandLine.unsafeArgv
      exit(
        runFuzzerDriver(&argc, &argv) { data, size in
          FuzzTarget.current.exercise(data.map { Data(bytes: $0, count: size) } ?? Data())
          return 0
        })
    #else
      for path in CommandLine.arguments.dropFirst() {
        print("\(target.rawValue): \(path): \(target.exercise(try Data(contentsOf: URL(fileURLWithPath: path))))")
      }
    #endif
  }
}
