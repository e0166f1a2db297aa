// Run-time backend choice: `auto | cpu | opencl`, from an option or SIGAH_BACKEND.
// `auto` takes an OpenCL GPU when there is one and otherwise the CPU, and says why.

import Backend
import Foundation

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

  /// The choice given as an option, else named by SIGAH_BACKEND (any case), else `auto`.
  public static func choice(option: BackendChoice?, environment: [String: String]) throws -> BackendChoice {
    if let option { return option }
    guard let text = environment[environmentVariable], !text.isEmpty else { return .auto }
    guard let choice = BackendChoice(rawValue: text.lowercased()) else {
      throw BackendError.invalidArgument(
        operation: environmentVariable,
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

  /// Opens the backend of one of `ranks` processes on a machine (MPI ranks), the
  /// `localRank`-th: on the CPU each takes an equal share of the cores unless `threads`
  /// says otherwise; on OpenCL the device `device` names, else the rank's turn among the
  /// machine's devices (its GPUs only, for auto, which falls back to the CPU without one).
  public static func make(
    _ choice: BackendChoice, device: Int?, threads: Int?, localRank: Int, ranksOnMachine ranks: Int
  ) throws -> SelectedBackend {
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let shared = threads ?? max(1, cores / max(ranks, 1))
    if choice == .cpu || device != nil { return try make(choice, device: device, threads: shared) }
    let devices: [OpenCLDeviceInfo]
    do {
      devices = try OpenCLDevices.all()
    } catch {
      if choice == .auto { return try cpu(shared, because: "OpenCL is not usable here (\(error))") }
      throw error
    }
    let candidates = choice == .opencl ? devices : devices.filter(\.isGPU)
    guard !candidates.isEmpty else {
      if choice == .auto { return try cpu(shared, because: "no OpenCL GPU among \(devices.count) devices was found") }
      throw BackendError.invalidArgument(operation: "--backend opencl", message: "no OpenCL device was found")
    }
    let target = candidates[localRank % candidates.count]
    return SelectedBackend(
      backend: try OpenCLBackend(deviceIndex: target.index),
      reason: "local rank \(localRank) took OpenCL device \(target.index) of \(candidates.count)")
  }

  private static func cpu(_ threads: Int?, because reason: String) throws -> SelectedBackend {
    SelectedBackend(
      backend: try CPUBackend(threads: threads), reason: "auto fell back to the CPU: \(reason)")
  }
}
