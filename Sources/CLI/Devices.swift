// `sigah devices`: every OpenCL platform and device, the CPU backend, and auto's choice.

import ArgumentParser
import Backend
import OpenCL

struct Devices: ParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "List the OpenCL devices and the CPU backend, marking the one auto would use.")

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
    }
    let cpu = try CPUBackend()
    print("CPU backend:")
    print("\(autoChoice == nil ? "*" : " ") cpu: \(CPUBackend.blasDescription), \(cpu.threads) threads")
    print("  OpenBLAS core: \(OpenBLASRuntime.core.description)")
    print("(* = what --backend auto uses)")
  }
}
