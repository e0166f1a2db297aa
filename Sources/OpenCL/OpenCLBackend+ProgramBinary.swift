// What the driver compiled a kernel file into: NVIDIA's OpenCL returns PTX text as the
// program binary, whose header names the PTX version and target (sm_90 on an H100), so
// `sigah devices --details` can show what a card runs without a vendor tool.

import Backend
import COpenCL
import Foundation

extension OpenCLBackend {
  /// The first `lines` lines of the program binary of `kernels/<file>.cl` as built with
  /// this backend's tuning, when the binary is text (PTX); else its size and first bytes.
  public func programBinaryHeader(file: String, lines: Int = 12) throws -> String {
    let program = try context.program(file: file, options: tuning.buildOptions(for: file), folder: kernelFolder)
    var size = 0
    try OpenCLStatus.check(
      clGetProgramInfo(program, cl_program_info(CL_PROGRAM_BINARY_SIZES), MemoryLayout<Int>.size, &size, nil),
      "clGetProgramInfo(CL_PROGRAM_BINARY_SIZES)")
    guard size > 0 else { return "(the driver returns no program binary)" }
    var bytes = [UInt8](repeating: 0, count: size)
    try bytes.withUnsafeMutableBytes { buffer in
      var pointer: UnsafeMutableRawPointer? = buffer.baseAddress
      try OpenCLStatus.check(
        clGetProgramInfo(
          program, cl_program_info(CL_PROGRAM_BINARIES), MemoryLayout<UnsafeMutableRawPointer?>.size, &pointer, nil),
        "clGetProgramInfo(CL_PROGRAM_BINARIES)")
    }
    let head = bytes.prefix(4096)
    let printable = head.allSatisfy { $0 == 9 || $0 == 10 || $0 == 13 || (32..<127).contains($0) || $0 == 0 }
    guard printable else {
      return "\(size) bytes of binary, not text; first bytes "
        + head.prefix(16).map { String(format: "%02x", $0) }.joined(separator: " ")
    }
    let text = String(decoding: head.prefix { $0 != 0 }, as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).prefix(lines).joined(separator: "\n")
  }
}
