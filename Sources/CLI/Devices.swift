// `sigah devices`: every OpenCL platform and device, the CPU backend, and auto's choice.

import ArgumentParser
import Backend
import OpenCL

struct Devices: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the OpenCL devices and the CPU backend, marking the one auto would use.")

  @Flag(
    help: """
      Also print each OpenCL device's extensions, its tuning (with every shape's own GEMM \
      setting) and the head of its compiled GEMM program (PTX on NVIDIA).
      """)
  var details = false

  func run() throws {
    let devices: [OpenCLDeviceInfo]
    var problem: String?
    do {
      devices = try OpenCLDevices.all()
    } catch {
      devices = []
      problem = "\(error)"
    }
    let autoChoice = BackendSelector.autoDevice(in: devices)
    print("OpenCL devices:")
    if devices.isEmpty { print("  none (\(problem ?? "the ICD loader found no platform with a device"))") }
    for device in devices {
      let mark = device == autoChoice ? "*" : " "
      let memory = Double(device.globalMemoryBytes) / 1_073_741_824
      print(
        "\(mark) \(device.index): \(device.name) [\(device.isGPU ? "GPU" : "non-GPU")]  "
          + "vendor \(device.vendor), platform \(device.platform), \(device.version), "
          + "\(device.computeUnits) compute units, \(String(format: "%.1f", memory)) GiB")
      if details { try printDetails(of: device) }
    }
    let cpu = try CPUBackend()
    print("CPU backend:")
    print("\(autoChoice == nil ? "*" : " ") cpu: \(CPUBackend.blasDescription), \(cpu.threads) threads")
    print("  OpenBLAS core: \(OpenBLASRuntime.core.description)")
    if let timeout = OpenBLASRuntime.threadTimeout {
      print(
        "  OpenBLAS idle threads spin 2^\(timeout.log2Cycles) cycles before they sleep"
          + (timeout.chosenBySigah ? " (chosen by sigah; OPENBLAS_THREAD_TIMEOUT overrides)" : ""))
    }
    print("(* = what --backend auto uses)")
  }

  /// Extensions, tuning, the upload staging and the GEMM program's head of one device,
  /// indented under it.
  func printDetails(of device: OpenCLDeviceInfo) throws {
    print("    extensions: \(device.extensions)")
    let backend = try OpenCLBackend(deviceIndex: device.index)
    print("    tuning: \(backend.tuning)")
    print(
      "    upload staging: \(StagingArea.bytesInFlight >> 20) MB ring of "
        + (backend.stagingIsPinned ? "pinned memory (CL_MEM_ALLOC_HOST_PTR, mapped)" : "ordinary memory"))
    for entry in backend.tuning.gemmShapes ?? [] {
      print("      \(entry.shape): \(entry.setting)" + String(format: " (%.1f GFLOP/s)", entry.gflops))
    }
    print("    compiled matmul program:")
    for line in try backend.programBinaryHeader(file: "matmul").split(separator: "\n", omittingEmptySubsequences: false)
    {
      print("      \(line)")
    }
  }
}
