import Foundation

/// Values filled in by concurrent workers, one slot each, read back once they are done.
public final class Slots<Value>: @unchecked Sendable {
  private var values: [Value?]
  private let lock = NSLock()

  public init(count: Int) { values = Array(repeating: nil, count: count) }
  public func set(_ index: Int, _ value: Value) { lock.withLock { values[index] = value } }
  public func get(_ index: Int) -> Value? { lock.withLock { values[index] } }
}

/// Hands out 0, 1, 2, … below a limit to concurrent workers, each number once.
public final class Tickets: @unchecked Sendable {
  private let limit: Int
  private var next = 0
  private let lock = NSLock()

  public init(below limit: Int) { self.limit = limit }

  public func take() -> Int? {
    lock.withLock {
      guard next < limit else { return nil }
      next += 1
      return next - 1
    }
  }
}
