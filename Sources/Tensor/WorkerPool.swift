import CSupport
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A piece of data-parallel work: `callAsFunction(part)` runs part `part` of it.
///
/// Jobs are values rather than closures: a closure handed to other threads must have its
/// context copied to the heap (`withoutActuallyEscaping` does so on every call), while a job
/// stays on the caller's stack, so running one allocates nothing.
public protocol ParallelJob: SendableMetatype {
  func callAsFunction(_ part: Int)
}

/// Work over a range of indices: `callAsFunction(range)` processes the indices in `range`.
public protocol RangeJob {
  func callAsFunction(_ range: Range<Int>)
}

/// A fixed team of threads that runs one data-parallel job at a time: `run(parts:job)`
/// calls `job(part)` once on each of `parts` threads, part 0 on the caller, and returns
/// when all are done.
///
/// Workers spin for a while (about 0.2 ms) after each job before they park on a condition
/// variable: the engine issues jobs of 50-500 µs back to back, and waking a parked thread
/// costs tens of microseconds on a VM, which is why `DispatchQueue.concurrentPerform` gains
/// little there. The spin loops have no PAUSE instruction: on a VM, a vCPU that spins on
/// PAUSE is descheduled by the hypervisor (pause-loop exiting), which doubled epoch times.
/// Every thread of the team, the caller included while it runs a job, flushes denormals
/// to zero (FTZ and DAZ), so results never depend on which thread computed what.
public final class WorkerPool: @unchecked Sendable {
  public let threadCount: Int
  @usableFromInline let team: Team
  private var threads: [pthread_t] = []

  /// A team of `threadCount` threads (the caller and `threadCount − 1` workers).
  /// `spinLimit` is how many idle polls a worker makes before it parks.
  public init(threadCount: Int, spinLimit: Int = 100_000) {
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

  /// Runs `job(part)` for part in 0..<parts (at most `threadCount`), one part per thread,
  /// and waits for all: on the caller alone when `parts` is 1.
  @inlinable
  public func run<Job: ParallelJob>(parts: Int, _ job: Job) {
    let control = csupport_flush_denormals()
    defer { csupport_restore_fp_control(control) }
    let parts = min(parts, threadCount)
    if parts <= 1 {
      job(0)
    } else {
      withUnsafePointer(to: Parts(job: job, parts: parts)) { pointer in
        team.run(workers: threadCount - 1, job: UnsafeRawPointer(pointer), invoke: Trampoline<Parts<Job>>.invoke)
      }
    }
  }

  /// Runs `job(range)` on contiguous parts of `0..<count`, at most one part per thread and
  /// none smaller than `grain`. The parts depend only on `count`, `grain` and the thread
  /// count; callers keep results independent of them.
  @inlinable
  public func forEachRange<Job: RangeJob>(_ count: Int, grain: Int = 1, _ job: Job) {
    guard count > 0 else { return }
    let parts = min(threadCount, max(1, count / max(grain, 1)))
    run(parts: parts, Ranges(job: job, count: count, parts: parts))
  }
}

/// Part p of `count` items split in `parts`.
@usableFromInline
struct Ranges<Job: RangeJob>: ParallelJob {
  @usableFromInline let job: Job
  @usableFromInline let count: Int
  @usableFromInline let parts: Int

  @inlinable init(job: Job, count: Int, parts: Int) {
    self.job = job
    self.count = count
    self.parts = parts
  }

  @inlinable func callAsFunction(_ part: Int) {
    let range = (count * part / parts)..<(count * (part + 1) / parts)
    if !range.isEmpty { job(range) }
  }
}

/// A job run by fewer threads than the team has: the others return at once.
@usableFromInline
struct Parts<Job: ParallelJob>: ParallelJob {
  @usableFromInline let job: Job
  @usableFromInline let parts: Int

  @inlinable init(job: Job, parts: Int) {
    self.job = job
    self.parts = parts
  }

  @inlinable func callAsFunction(_ part: Int) {
    if part < parts { job(part) }
  }
}

/// Calls the job of type `Job` at an address: once specialized, a plain function that the
/// team can store without allocating.
@usableFromInline
enum Trampoline<Job: ParallelJob> {
  @inlinable static func invoke(_ job: UnsafeRawPointer, _ part: Int) {
    job.assumingMemoryBound(to: Job.self).pointee(part)
  }
}

/// The state the caller and the workers share; the workers hold it, not the pool, so that
/// releasing the pool stops them.
@usableFromInline
final class Team: @unchecked Sendable {
  let spinLimit: Int
  let generation = Atomic<Int>(0)
  let pending = Atomic<Int>(0)
  let parked = Atomic<Int>(0)
  let stopping = Atomic<Bool>(false)
  /// The current job (on the caller's stack) and how to call it, published before
  /// `generation` is bumped and read after the bump is observed.
  var job: UnsafeRawPointer?
  var invoke: ((UnsafeRawPointer, Int) -> Void)?
  let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  init(spinLimit: Int) {
    self.spinLimit = spinLimit
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    condition.deallocate()
  }

  /// Runs part 0 of the job on the caller and parts 1…workers on the workers.
  @usableFromInline
  func run(workers: Int, job: UnsafeRawPointer, invoke: @escaping (UnsafeRawPointer, Int) -> Void) {
    self.job = job
    self.invoke = invoke
    pending.store(workers, ordering: .relaxed)
    wake()
    invoke(job, 0)
    while pending.load(ordering: .acquiring) > 0 {}
    self.job = nil
    self.invoke = nil
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
        }
        current = generation.load(ordering: .acquiring)
      }
      seen = current
      if stopping.load(ordering: .sequentiallyConsistent) { return }
      invoke!(job!, index)
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
