import Data
import Foundation

/// What a cell's largest run holds in memory while it trains, estimated before it runs
/// (`RunSettings.estimatedBytes`: weights, gradients, optimizer state and a batch's
/// activations, the batch at most the training split): what `plan` states beside the
/// machine's memory, and what a build refuses past half of it.
public struct PlannedMemory: Sendable, Encodable {
  public let cell: String
  /// The estimate of the cell's largest run, in bytes, and its network and batch rows.
  public let bytes: Double
  public let hidden: [Int]
  public let batchRows: Int

  /// Every training cell of `study`, its runs on `examples` training images.
  static func plan(_ study: Study, examples: Int, shape: DataShape) -> [PlannedMemory] {
    study.cells.compactMap { cell in
      guard cell.kind != .data else { return nil }
      let estimates = ([cell.settings] + cell.body.behaviour.otherSettings).map {
        (settings: $0, bytes: $0.estimatedBytes(shape, examples: examples))
      }
      guard let largest = estimates.max(by: { $0.bytes < $1.bytes }) else { return nil }
      return PlannedMemory(
        cell: cell.id, bytes: largest.bytes, hidden: largest.settings.hidden,
        batchRows: largest.settings.batchRows(examples: examples))
    }
  }

  /// The machine's memory, in bytes.
  public static var machine: Double { Double(ProcessInfo.processInfo.physicalMemory) }
}
