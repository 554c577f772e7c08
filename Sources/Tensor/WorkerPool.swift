import CSupport
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A fixed team of threads that runs one data-parallel job at a time: `run { t in … }`
/// calls the body once on every thread, `t` = 0 being the caller, and returns when all
/// are done.
///
/// Workers spin for a while after each job before they park on a condition variable: the
/// engine issues jobs of 50-500 µs back to back, and waking a parked thread costs tens of
/// microseconds on a VM, which is why `DispatchQueue.concurrentPerform` gains little there.
/// Every thread of the team, the caller included while it runs a job, flushes denormals
/// to zero (FTZ and DAZ), so results never depend on which thread computed what.
public final class WorkerPool: @unchecked Sendable {
  public let threadCount: Int
  private let team: Team
  private var threads: [pthread_t] = []

  /// A team of `threadCount` threads (the caller and `threadCount − 1` workers).
  /// `spinLimit` is how many idle polls a worker makes before it parks.
  public init(threadCount: Int, spinLimit: Int = 2_000) {
    precondition(threadCount >= 1, "a worker pool needs at least one thread")
    self.threadCount = threadCount
    team = Team(spinLimit: spinLimit)
    for index in 1..<threadCount {
      let context = Unmanaged.passRetained(WorkerContext(team: team, index: index)).toOpaque()
      #if canImport(Glibc)
        var thread = pthread_t()
      #else
        var thread: pthread_t?
      #endif
      let status = pthread_create(
        &thread, nil,
        { raw in
          let context = Unmanaged<WorkerContext>.fromOpaque(raw!).takeRetainedValue()
          context.team.work(index: context.index)
          return nil
        }, context)
      precondition(status == 0, "cannot start a worker thread (pthread_create returned \(status))")
      #if canImport(Glibc)
        threads.append(thread)
      #else
        threads.append(thread!)
      #endif
    }
  }

  deinit {
    team.stop()
    for thread in threads { pthread_join(thread, nil) }
  }

  /// Runs `body(t)` for t in 0..<threadCount, one call per thread, and waits for all.
  public func run(_ body: (Int) -> Void) {
    run(parts: threadCount, body)
  }

  /// Runs `body(t)` for t in 0..<parts (at most `threadCount`), one call per thread: on the
  /// caller alone when `parts` is 1.
  public func run(parts: Int, _ body: (Int) -> Void) {
    let control = csupport_flush_denormals()
    defer { csupport_restore_fp_control(control) }
    let parts = min(parts, threadCount)
    if parts <= 1 {
      body(0)
    } else {
      team.run(workers: threadCount - 1) { t in
        if t < parts { body(t) }
      }
    }
  }

  /// Runs `body(range)` on contiguous parts of `0..<count`, at most one part per thread
  /// and none smaller than `grain`. The parts depend only on `count`, `grain` and the
  /// thread count; callers keep results independent of them.
  public func forEachRange(_ count: Int, grain: Int = 1, _ body: (Range<Int>) -> Void) {
    guard count > 0 else { return }
    let parts = min(threadCount, max(1, count / max(grain, 1)))
    run(parts: parts) { t in
      let range = (count * t / parts)..<(count * (t + 1) / parts)
      if !range.isEmpty { body(range) }
    }
  }
}

/// The state the caller and the workers share; the workers hold it, not the pool, so that
/// releasing the pool stops them.
private final class Team: @unchecked Sendable {
  let spinLimit: Int
  let generation = Atomic<Int>(0)
  let pending = Atomic<Int>(0)
  let parked = Atomic<Int>(0)
  let stopping = Atomic<Bool>(false)
  /// The current job, published before `generation` is bumped and read after the bump is
  /// observed.
  let job = UnsafeMutablePointer<((Int) -> Void)?>.allocate(capacity: 1)
  let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(spinLimit: Int) {
    self.spinLimit = spinLimit
    job.initialize(to: nil)
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    job.deinitialize(count: 1)
    job.deallocate()
    mutex.deallocate()
    condition.deallocate()
  }

  func run(workers: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
      job.pointee = body
      pending.store(workers, ordering: .relaxed)
      wake()
      body(0)
      while pending.load(ordering: .acquiring) > 0 { csupport_pause() }
      job.pointee = nil
    }
  }

  func stop() {
    stopping.store(true, ordering: .sequentiallyConsistent)
    wake()
  }

  /// Publishes a new generation; parked workers are woken under the mutex, so that none
  /// can miss it between checking the generation and waiting.
  private func wake() {
    generation.add(1, ordering: .sequentiallyConsistent)
    if parked.load(ordering: .sequentiallyConsistent) > 0 {
      pthread_mutex_lock(mutex)
      pthread_cond_broadcast(condition)
      pthread_mutex_unlock(mutex)
    }
  }

  func work(index: Int) {
    _ = csupport_flush_denormals()
    var seen = 0
    while true {
      var spins = 0
      var current = generation.load(ordering: .acquiring)
      while current == seen {
        spins += 1
        if spins >= spinLimit {
          pthread_mutex_lock(mutex)
          parked.add(1, ordering: .sequentiallyConsistent)
          while generation.load(ordering: .sequentiallyConsistent) == seen {
            pthread_cond_wait(condition, mutex)
          }
          parked.subtract(1, ordering: .sequentiallyConsistent)
          pthread_mutex_unlock(mutex)
          spins = 0
        } else {
          csupport_pause()
        }
        current = generation.load(ordering: .acquiring)
      }
      seen = current
      if stopping.load(ordering: .sequentiallyConsistent) { return }
      job.pointee!(index)
      pending.subtract(1, ordering: .releasing)
    }
  }
}

private final class WorkerContext {
  let team: Team
  let index: Int
  init(team: Team, index: Int) {
    self.team = team
    self.index = index
  }
}
