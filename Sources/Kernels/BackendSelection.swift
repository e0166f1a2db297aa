// Run-time backend choice: `auto | cpu | opencl`, from an option or SIGAH_BACKEND.
// `auto` takes an OpenCL GPU when there is one and otherwise the CPU, and says why.

import Backend

public enum BackendChoice: String, CaseIterable, Sendable {
  case auto, cpu, opencl
}

/// A backend and the one-line reason it was chosen.
public struct SelectedBackend {
  public let backend: any Backend
  public let reason: String
}

public enum BackendSelector {
  /// The environment variable consulted when no option is given.
  public static let environmentVariable = "SIGAH_BACKEND"

  /// The choice named by `option`, else by SIGAH_BACKEND, else `auto`.
  public static func choice(option: String?, environment: [String: String]) throws -> BackendChoice {
    let (text, source): (String, String) =
      if let option {
        (option, "--backend")
      } else if let value = environment[environmentVariable],
        !value.isEmpty
      { (value, environmentVariable) } else { ("auto", "default") }
    guard let choice = BackendChoice(rawValue: text.lowercased()) else {
      throw BackendError.invalidArgument(
        operation: source,
        message: "unknown backend '\(text)'; expected one of "
          + BackendChoice.allCases.map(\.rawValue).joined(separator: ", "))
    }
    return choice
  }

  /// The device `auto` would take: the first OpenCL GPU, if any.
  public static func autoDevice(in devices: [OpenCLDeviceInfo]) -> OpenCLDeviceInfo? {
    devices.first(where: \.isGPU)
  }

  /// Opens the chosen backend. `device` numbers an OpenCL device (`sigah devices`);
  /// `threads` sets the CPU backend's threads.
  public static func make(_ choice: BackendChoice, device: Int? = nil, threads: Int? = nil)
    throws -> SelectedBackend
  {
    switch choice {
    case .cpu:
      // A device number with the CPU would be silently ignored: say so instead.
      if let device {
        throw BackendError.invalidArgument(
          operation: "--device", message: "\(device) names an OpenCL device; the cpu backend takes none")
      }
      return SelectedBackend(backend: try CPUBackend(threads: threads), reason: "cpu was asked for")
    case .opencl:
      let backend = try OpenCLBackend(deviceIndex: device)
      return SelectedBackend(backend: backend, reason: "opencl was asked for")
    case .auto:
      let devices: [OpenCLDeviceInfo]
      do {
        devices = try OpenCLDevices.all()
      } catch {
        return try cpu(threads, because: "OpenCL is not usable here (\(error))")
      }
      if let device, !devices.contains(where: { $0.index == device }) {
        throw BackendError.invalidArgument(
          operation: "--device",
          message: devices.isEmpty
            ? "there is no OpenCL device \(device): none was found"
            : "there is no OpenCL device \(device); devices are numbered 0 to \(devices.count - 1)")
      }
      let target = device.flatMap { index in devices.first { $0.index == index } } ?? autoDevice(in: devices)
      guard let target else {
        let found = devices.isEmpty ? "no OpenCL device" : "no OpenCL GPU among \(devices.count) devices"
        return try cpu(threads, because: "\(found) was found")
      }
      do {
        let backend = try OpenCLBackend(deviceIndex: target.index)
        return SelectedBackend(
          backend: backend, reason: "auto chose OpenCL \(target.isGPU ? "GPU" : "device") \(target.index)")
      } catch {
        return try cpu(threads, because: "OpenCL device \(target.index) failed to start (\(error))")
      }
    }
  }

  private static func cpu(_ threads: Int?, because reason: String) throws -> SelectedBackend {
    SelectedBackend(
      backend: try CPUBackend(threads: threads), reason: "auto fell back to the CPU: \(reason)")
  }
}
