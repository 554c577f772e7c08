import Foundation
import NN
import Synchronization
import Tensor

/// Which run a progress event is about.
public struct RunLabel: Sendable {
  public let cell: String
  /// The run's name within its cell (a variant, a grid point, "candidate 3, fold 2/3").
  public let name: String
  public let epochs: Int
  /// The run's position among the cell's runs still to train, and their number.
  public let index: Int
  public let count: Int
}

/// Receives a build's progress. Called from the threads that train, possibly two at once:
/// implementations synchronize themselves.
public protocol BuildObserver: AnyObject, Sendable {
  func cellStarted(_ cell: Cell)
  /// A cell's runs: how many will train, how many come from the cache.
  func runsQueued(cell: String, training: Int, cached: Int)
  func runStarted(_ run: RunLabel)
  func training(_ run: RunLabel, _ event: TrainingEvent)
  func runFinished(_ run: RunLabel, _ record: RunRecord)
  func cellFinished(_ result: CellResult)
  func note(_ message: String)
}

/// Every event is ignored unless an observer says otherwise.
extension BuildObserver {
  public func cellStarted(_ cell: Cell) {}
  public func runsQueued(cell: String, training: Int, cached: Int) {}
  public func runStarted(_ run: RunLabel) {}
  public func training(_ run: RunLabel, _ event: TrainingEvent) {}
  public func runFinished(_ run: RunLabel, _ record: RunRecord) {}
  public func cellFinished(_ result: CellResult) {}
  public func note(_ message: String) {}
}

/// An observer that shows nothing.
public final class SilentObserver: BuildObserver {
  public init() {}
}

/// A flag that asks training to stop (Ctrl-C): the run in progress ends at its next batch
/// and is not cached; everything finished before stays cached.
public final class Cancellation: Sendable {
  private let flag = Atomic<Bool>(false)
  public init() {}
  public func cancel() { flag.store(true, ordering: .relaxed) }
  public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
