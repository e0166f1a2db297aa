// Where `sigah tune` keeps what it chose: one JSON file in the user's cache folder
// ($XDG_CACHE_HOME/sigah, else ~/.cache/sigah), with one entry per device and driver, so
// that a new driver is tuned anew.

import Foundation

public enum TuningCache {
  /// The cache file; SIGAH_TUNING_CACHE overrides it (tests, shared machines).
  public static var path: String {
    let environment = ProcessInfo.processInfo.environment
    if let path = environment["SIGAH_TUNING_CACHE"], !path.isEmpty { return path }
    let folder =
      environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
      ?? (NSHomeDirectory() as NSString).appendingPathComponent(".cache")
    return (folder as NSString).appendingPathComponent("sigah/tuning.json")
  }

  /// The key of a device: platform, name and driver version.
  public static func key(for device: OpenCLDeviceInfo) -> String {
    "\(device.platform) | \(device.name) | driver \(device.driverVersion)"
  }

  /// The cached tuning of `device`, or nil (no cache, no entry, or an unreadable file).
  public static func load(for device: OpenCLDeviceInfo) -> OpenCLTuning? {
    guard let data = FileManager.default.contents(atPath: path),
      let entries = try? JSONDecoder().decode([String: OpenCLTuning].self, from: data)
    else { return nil }
    return entries[key(for: device)]
  }

  /// Stores `tuning` for `device`, keeping the other devices' entries.
  public static func save(_ tuning: OpenCLTuning, for device: OpenCLDeviceInfo) throws {
    var entries: [String: OpenCLTuning] = [:]
    if let data = FileManager.default.contents(atPath: path) {
      entries = (try? JSONDecoder().decode([String: OpenCLTuning].self, from: data)) ?? [:]
    }
    entries[key(for: device)] = tuning
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    let url = URL(fileURLWithPath: path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try encoder.encode(entries).write(to: url, options: .atomic)
  }
}
