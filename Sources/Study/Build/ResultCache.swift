import Foundation

/// Results stored by key: one JSON file per run (`runs/KEY.json`) and per cell
/// (`cells/KEY.json`). A key is the SHA-256 of everything a result depends on, so a
/// changed setting is a new key and nothing is ever invalidated by hand.
///
/// Many builds and `work` tasks, on many hosts, may share one cache folder (on NFS, say):
/// each entry is written to a temporary name of its own in the entry's folder and renamed
/// into place, so a reader sees a whole entry or none, a killed writer leaves only a
/// temporary file (its name starts with a dot), and no lock is needed. A run's record holds
/// only what its inputs determine, so two tasks that trained the same run write the same
/// bytes; where and how long it trained goes beside it, in `timings/`. An entry that does
/// not decode, or whose key differs, is reported and recomputed, never trusted.
public final class ResultCache: @unchecked Sendable {
  public let directory: String
  private let lock = NSLock()
  /// Problems met reading entries (a corrupt file, say), for the build's log.
  public private(set) var problems: [String] = []

  public init(directory: String) {
    self.directory = directory
  }

  /// Makes the cache folder if it is not there and writes a file into it and removes it:
  /// a cache that cannot hold entries (a file in the way, a folder no one may write) is
  /// found before anything trains, rather than after every run was trained for nothing.
  public func checkWritable() throws {
    var folder: ObjCBool = false
    if FileManager.default.fileExists(atPath: directory, isDirectory: &folder), !folder.boolValue {
      throw BuildError.unusableCache(directory, "it is a file, not a folder")
    }
    let probe = "\(directory)/.write-check-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)"
    do {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    } catch {
      throw BuildError.unusableCache(directory, "the folder cannot be made (\(describeFileError(error)))")
    }
    do {
      try Data("mnist-report".utf8).write(to: URL(fileURLWithPath: probe))
      try FileManager.default.removeItem(atPath: probe)
    } catch {
      try? FileManager.default.removeItem(atPath: probe)
      throw BuildError.unusableCache(directory, "it cannot be written (\(describeFileError(error)))")
    }
  }

  private func path(_ kind: String, _ key: String) -> String { "\(directory)/\(kind)/\(key).json" }

  /// The entry of `kind` under `key`, or nil when there is none or it cannot be trusted.
  func load<T: Decodable>(_ type: T.Type, kind: String, key: String, keyOf: (T) -> String) -> T? {
    let file = path(kind, key)
    guard let data = FileManager.default.contents(atPath: file) else { return nil }
    do {
      let value = try ResultsJSON.decoder().decode(T.self, from: data)
      guard keyOf(value) == key else {
        note("\(file): the entry holds another key (\(keyOf(value).prefix(12))…); recomputing")
        return nil
      }
      return value
    } catch {
      note("\(file): corrupt cache entry (\(describeDecoding(error))); recomputing")
      return nil
    }
  }

  /// Stores `value` under `key`, atomically. A cache that cannot be written is reported,
  /// not fatal: the build goes on without it.
  func store<T: Encodable>(_ value: T, kind: String, key: String) {
    let file = path(kind, key)
    do {
      try FileManager.default.createDirectory(atPath: "\(directory)/\(kind)", withIntermediateDirectories: true)
      // A diverged run's losses and a diverged candidate's scores are NaN: kept, so that
      // they are cached like any other.
      try writeAtomically(ResultsJSON.encoder(nonFinite: true).encode(value), to: file)
    } catch {
      note("\(file): cannot write the cache entry (\(error.localizedDescription))")
    }
  }

  /// A run's record, with its timing when the cache has it.
  func loadRun(key: String) -> RunRecord? {
    guard let record = load(RunRecord.self, kind: "runs", key: key, keyOf: \.key) else { return nil }
    guard let data = FileManager.default.contents(atPath: path("timings", key)),
      let timing = try? ResultsJSON.decoder().decode(RunTiming.self, from: data)
    else { return record }
    return record.with(timing)
  }

  /// Stores a run: its timing first, then the record, whose presence means the run is done.
  func storeRun(_ record: RunRecord) {
    store(RunTiming(record), kind: "timings", key: record.key)
    store(record.withoutTiming, kind: "runs", key: record.key)
  }

  /// The cached result of `cell` under `key`, named as the study names the cell now; nil
  /// when there is none, or when the cell exports a model that the cache lacks (an older
  /// cache has none).
  func cellResult(_ cell: Cell, key: String) -> CellResult? {
    guard var cached = load(CellResult.self, kind: "cells", key: key, keyOf: \.key),
      !cell.exportsModel || cached.runs.first.map({ $0.run.test == nil || hasModel(key: $0.run.key) }) ?? true
    else { return nil }
    cached.name(as: cell)
    (cached.status, cached.epochsTrainedNow) = (.cached, 0)
    return cached
  }

  /// The run the cache holds for `request`: its own record or, for a run that trains epoch
  /// by epoch, one read off the first epochs of a longer stored run of its family (`readOff`:
  /// not yet stored under the request's key). A tested run's model is kept beside its record;
  /// a record without it (from an older cache) does not count, so that the run trains again
  /// and its model can be exported. A diverged run has neither a test evaluation nor a model.
  func cachedRun(_ request: RunRequest) -> (record: RunRecord, readOff: Bool)? {
    if let record = loadRun(key: request.key),
      !request.evaluatesTest || record.test == nil || hasModel(key: request.key)
    {
      return (record, false)
    }
    if let family = request.readableFamily,
      let longer = longerRun(family: family, than: request.settings.epochs),
      let record = longer.prefix(request.settings.epochs, key: request.key)
    {
      return (record, true)
    }
    return nil
  }

  /// The shortest stored run of `family` (keys `FAMILY-EPOCHS`, or `FAMILY-EPOCHS-test` for a
  /// run also evaluated on the test set) that trained at least `epochs` epochs, other than
  /// the run of `epochs` epochs itself.
  func longerRun(family: String, than epochs: Int) -> RunRecord? {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: "\(directory)/runs")) ?? []
    let stored = names.compactMap { name -> (epochs: Int, key: String)? in
      guard name.hasPrefix(family + "-"), name.hasSuffix(".json") else { return nil }
      let key = String(name.dropLast(5))
      let rest = key.dropFirst(family.count + 1)
      let tested = rest.hasSuffix("-test")
      guard let length = Int(tested ? rest.dropLast(5) : rest), length > epochs || (length == epochs && tested)
      else { return nil }
      return (length, key)
    }
    for (_, key) in stored.sorted(by: { $0.epochs < $1.epochs }) {
      if let record = loadRun(key: key) { return record }
    }
    return nil
  }

  /// Where a tested run's trained model is kept: `models/KEY.safetensors`, beside its record.
  func modelPath(key: String) -> String { "\(directory)/models/\(key).safetensors" }

  func hasModel(key: String) -> Bool { FileManager.default.fileExists(atPath: modelPath(key: key)) }

  /// Stores a run's model (before its record, whose presence means the run is done), atomically.
  func storeModel(_ bytes: [UInt8], key: String) {
    let file = modelPath(key: key)
    do {
      try FileManager.default.createDirectory(atPath: "\(directory)/models", withIntermediateDirectories: true)
      try writeAtomically(Data(bytes), to: file)
    } catch {
      note("\(file): cannot write the model (\(error.localizedDescription))")
    }
  }

  /// Marks the study of `key` as trained by `work` tasks: its build then trains nothing
  /// unless asked to (see `BuildOptions.trainMissing`).
  func markDistributed(_ key: String) {
    guard !contains(kind: "distributed", key: key) else { return }
    store(["key": key], kind: "distributed", key: key)
  }

  func wasDistributed(_ key: String) -> Bool { contains(kind: "distributed", key: key) }

  /// Whether an entry exists (without reading it).
  func contains(kind: String, key: String) -> Bool {
    FileManager.default.fileExists(atPath: path(kind, key))
  }

  /// A file of the cache folder that is not an entry (`machine.json`), or nil.
  func contents(ofFile name: String) -> Data? { FileManager.default.contents(atPath: "\(directory)/\(name)") }

  /// Writes such a file whole (the folder must exist).
  func write(_ data: Data, toFile name: String) throws { try writeAtomically(data, to: "\(directory)/\(name)") }

  /// Writes `data` to a temporary file beside `file`, named after this host and process so
  /// that no two writers share one, then renames it over `file` (atomic within a folder,
  /// on NFS too).
  private func writeAtomically(_ data: Data, to file: String) throws {
    let url = URL(fileURLWithPath: file)
    let temporary = url.deletingLastPathComponent().appendingPathComponent(
      ".\(url.lastPathComponent).\(uniqueSuffix()).tmp")
    do {
      try data.write(to: temporary)
    } catch {
      try? FileManager.default.removeItem(at: temporary)
      throw error
    }
    guard rename(temporary.path, file) == 0 else {
      let reason = String(cString: strerror(errno))
      try? FileManager.default.removeItem(at: temporary)
      throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: reason])
    }
  }

  private func uniqueSuffix() -> String {
    let host = hostName.filter { $0.isLetter || $0.isNumber || $0 == "-" }
    return "\(host)-\(getpid())-\(UInt64.random(in: 0...UInt64.max))"
  }

  private func note(_ problem: String) {
    lock.withLock { problems.append(problem) }
  }
}

/// A file error as the system says it ("Read-only file system", "Permission denied"), not
/// Foundation's "The operation could not be completed".
private func describeFileError(_ error: Error) -> String {
  let error = error as NSError
  if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
    return String(cString: strerror(Int32(underlying.code)))
  }
  if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
  // Foundation's own codes for what the system would have said.
  let system: [CocoaError.Code: Int32] = [
    .fileWriteVolumeReadOnly: EROFS, .fileWriteNoPermission: EACCES, .fileWriteOutOfSpace: ENOSPC,
  ]
  if error.domain == NSCocoaErrorDomain, let code = system[CocoaError.Code(rawValue: error.code)] {
    return String(cString: strerror(code))
  }
  return error.localizedDescription
}
