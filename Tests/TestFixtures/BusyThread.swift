import Foundation
import Synchronization

/// A thread that keeps a core busy until stopped, as another process would.
public final class BusyThread: @unchecked Sendable {
  private let thread: Thread

  public init() {
    let flag = Flag()
    thread = Thread {
      var x = 0
      while !flag.value.load(ordering: .relaxed) { x &+= 1 }
      _ = x
    }
    self.flag = flag
    thread.start()
  }

  private let flag: Flag
  private final class Flag: @unchecked Sendable { let value = Atomic<Bool>(false) }

  public func stop() { flag.value.store(true, ordering: .relaxed) }
}
