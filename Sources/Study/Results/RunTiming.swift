import Foundation

/// The machine a run trained on, as its record keeps it.
public struct Machine: Codable, Hashable, Sendable {
  public var host: String
  /// The kernel set that ran the arithmetic (`avx512`, `avx2`, `baseline`).
  public var kernels: String
  public var threads: Int

  public init(host: String, kernels: String, threads: Int) {
    self.host = host
    self.kernels = kernels
    self.threads = threads
  }
}

/// What a run's record holds that depends on where and when it trained, not on its inputs:
/// the cache keeps it beside the record (`timings/KEY.json`), so that the record itself has
/// the same bytes on whichever machine, and however many times, the run trained.
struct RunTiming: Codable, Sendable {
  var seconds: Double
  var epochSeconds: [Double]
  var timedIn: String?
  var readOff: Bool?
  var trainedOn: Machine?

  init(_ record: RunRecord) {
    seconds = record.seconds
    epochSeconds = record.history.epochs.map(\.seconds)
    timedIn = record.timedIn
    readOff = record.readOff
    trainedOn = record.trainedOn
  }
}

extension RunRecord {
  /// The record without its timing: what depends only on the run's inputs.
  var withoutTiming: RunRecord {
    var record = self
    (record.seconds, record.timedIn, record.readOff, record.trainedOn) = (0, nil, nil, nil)
    for i in record.history.epochs.indices { record.history.epochs[i].seconds = 0 }
    return record
  }

  /// The record with `timing` put back; a timing of another length of run is ignored.
  func with(_ timing: RunTiming) -> RunRecord {
    guard timing.epochSeconds.count == history.epochs.count else { return self }
    var record = self
    (record.seconds, record.timedIn, record.readOff, record.trainedOn) = (
      timing.seconds, timing.timedIn, timing.readOff, timing.trainedOn
    )
    for i in record.history.epochs.indices { record.history.epochs[i].seconds = timing.epochSeconds[i] }
    return record
  }
}
