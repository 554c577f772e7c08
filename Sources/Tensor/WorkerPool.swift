import CSupport
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// A piece of data-parallel work: `callAsFunction(piece, thread:)` runs piece `piece` of it
/// on the thread numbered `thread` (0 is the caller), which may use that thread's scratch
/// space. A piece's result must not depend on which thread runs it, nor on the order pieces
/// run in.
///
/// Jobs are values rather than closures: a closure handed to other threads must have its
/// context copied to the heap (`withoutActuallyEscaping` does so on every call), while a job
/// stays on the caller's stack, so running one allocates nothing.
public protocol ParallelJob: SendableMetatype {
  func callAsFunction(_ piece: Int, thread: Int)
}

/// Work over a range of indices: `callAsFunction(range)` processes the indices in `range`.
public protocol RangeJob {
  func callAsFunction(_ range: Range<Int>)
}

/// A fixed team of threads that runs one data-parallel job at a time: `run(pieces:job)`
/// hands the job's pieces out one at a time to whichever thread of the team is free (the
/// caller takes pieces too) and returns when all are done.
///
/// Pieces are claimed dynamically. On a quiet machine a job has one piece per thread (equal
/// parts finish together); once the caller has had to wait for a worker descheduled in the
/// middle of a piece, jobs have several pieces per thread for a while (`pieces(_:grain:)`),
/// so a thread that the system deschedules (another process wants the core) simply runs
/// fewer of them: the others take the rest, and only the piece in its hands is waited for.
/// The caller waits for
/// that one spinning briefly, then yielding its core, so that a descheduled worker can run
/// on it. When sharing stops paying — the caller waits long for a worker descheduled in the
/// middle of a piece, twice within 0.1 s, or the workers run less than half their fair
/// share of the pieces over 64 jobs, as happens when another process keeps a core busy —
/// the caller runs the next jobs alone for a while (0.1 s, twice as long each time it
/// happens again, up to 2 s), then tries sharing again: with every core busy, one thread
/// that is never waited for beats two that wait for each other. Who runs a piece never
/// changes its result, so none of this changes a bit.
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
    team = Team(spinLimit: spinLimit, workers: threadCount - 1)
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

  /// Runs `job(piece, thread:)` for every piece in 0..<pieces, on the team's threads as they
  /// come free, and waits for all: on the caller alone when there is one piece or one
  /// thread, or when `shared` is false (work too small to share).
  @inlinable
  public func run<Job: ParallelJob>(pieces: Int, shared: Bool = true, _ job: Job) {
    guard pieces > 0 else { return }
    let control = csupport_flush_denormals()
    defer { csupport_restore_fp_control(control) }
    if pieces == 1 || threadCount == 1 || !shared || team.runsAlone() {
      for piece in 0..<pieces { job(piece, thread: 0) }
    } else {
      withUnsafePointer(to: job) { pointer in
        team.run(pieces: pieces, job: UnsafeRawPointer(pointer), invoke: Trampoline<Job>.invoke)
      }
    }
  }

  /// The share of the jobs big enough to share that the caller ran alone because sharing had
  /// stopped paying (see the type's notes): near 0 on a quiet machine, high beside a busy
  /// core. Read it from the thread that runs the jobs.
  public var aloneShare: Double {
    let total = team.sharedJobs + team.aloneJobs
    return total == 0 ? 0 : Double(team.aloneJobs) / Double(total)
  }

  /// How many pieces to cut `count` items into, none smaller than `grain`: one per thread
  /// while sharing goes well, several per thread for a while after a thread was found
  /// descheduled (so that a slowed thread takes fewer), and a single one when the work is
  /// too small to share. The count changes speed only: callers keep results independent
  /// of the pieces.
  @inlinable
  public func pieces(_ count: Int, grain: Int = 1) -> Int {
    let perThread = team.finePieces ? Self.piecesPerThread : 1
    return threadCount == 1 ? 1 : max(1, min(count / max(grain, 1), threadCount * perThread))
  }

  /// Pieces per thread while threads are being descheduled: enough that a descheduled
  /// thread costs little, few enough that claiming them costs nothing. On a quiet machine
  /// one piece per thread is faster (measured: 6-9% per epoch on two cores), since with
  /// several the caller waits, at the end of every job, for the piece a worker is still in.
  public static let piecesPerThread = 4

  /// Runs `job(range)` on contiguous ranges of `0..<count`, none smaller than `grain`, handed
  /// out as `run(pieces:)` does. Callers keep results independent of the ranges.
  @inlinable
  public func forEachRange<Job: RangeJob>(_ count: Int, grain: Int = 1, _ job: Job) {
    guard count > 0 else { return }
    let pieces = pieces(count, grain: grain)
    run(pieces: pieces, Ranges(job: job, count: count, pieces: pieces))
  }
}

/// Piece p of `count` items cut in `pieces`.
@usableFromInline
struct Ranges<Job: RangeJob>: ParallelJob {
  @usableFromInline let job: Job
  @usableFromInline let count: Int
  @usableFromInline let pieces: Int

  @inlinable init(job: Job, count: Int, pieces: Int) {
    self.job = job
    self.count = count
    self.pieces = pieces
  }

  @inlinable func callAsFunction(_ piece: Int, thread: Int) {
    let range = (count * piece / pieces)..<(count * (piece + 1) / pieces)
    if !range.isEmpty { job(range) }
  }
}

/// Calls the job of type `Job` at an address: once specialized, a plain function that the
/// team can store without allocating.
@usableFromInline
enum Trampoline<Job: ParallelJob> {
  @inlinable static func invoke(_ job: UnsafeRawPointer, _ piece: Int, _ thread: Int) {
    job.assumingMemoryBound(to: Job.self).pointee(piece, thread: thread)
  }
}

/// The state the caller and the workers share; the workers hold it, not the pool, so that
/// releasing the pool stops them.
///
/// A job's pieces are claimed from `claims`, one word holding the job's number, its number
/// of pieces and the next piece: a claim is a compare-and-swap of that word, so a worker
/// that comes late, once the job is over, claims nothing and never touches a job that is
/// gone.
@usableFromInline
final class Team: @unchecked Sendable {
  let spinLimit: Int
  /// Bumped for every job and for stopping: what parked workers wait on.
  let generation = Atomic<Int>(0)
  let claims = Atomic<UInt64>(0)
  let finished = Atomic<Int>(0)
  let parked = Atomic<Int>(0)
  let stopping = Atomic<Bool>(false)
  private var jobNumber: UInt64 = 0
  /// Jobs the caller still runs alone after a long wait, and how many the next long wait
  /// will make it run alone (see `run`).
  private var aloneUntil: UInt64 = 0
  private var lastLongWait: UInt64 = 0
  private var backoff = Team.firstBackoff
  /// How long the caller runs alone after a long wait: 0.1 s, doubling up to 2 s
  /// while sharing keeps failing.
  static let firstBackoff: UInt64 = 100_000_000
  static let longestBackoff: UInt64 = 2_000_000_000
  /// A wait this long (and much longer than a piece) means a worker lost its core: the
  /// scheduler's time slices are milliseconds, a piece tens of microseconds.
  static let longWait: UInt64 = 1_000_000
  /// Whether jobs are cut in several pieces per thread (read by the caller's thread, which
  /// sets it): for `fineStretch` after a wait for a descheduled worker.
  @usableFromInline var finePieces = false
  private var fineUntil: UInt64 = 0
  static let fineStretch: UInt64 = 2_000_000_000
  /// Over this many shared jobs, the workers' share of the pieces is weighed: when they ran
  /// less than half of their fair share, they were mostly without a core.
  static let window = 64
  private var windowJobs = 0
  private var windowPieces = 0
  private var windowOwn = 0
  private let workers: Int
  /// The current job (on the caller's stack) and how to call it, published before `claims`
  /// and read only by a thread holding a claim of it.
  var job: UnsafeRawPointer?
  var invoke: ((UnsafeRawPointer, Int, Int) -> Void)?
  let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
  let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

  /// The fields of `claims`: job number (24 bits), pieces (20), next piece (20).
  static let pieceBits: UInt64 = 20
  static let pieceMask: UInt64 = (1 << pieceBits) - 1
  /// Polls of `finished` before the caller starts yielding its core.
  static let waitSpins = 2_000

  init(spinLimit: Int, workers: Int) {
    self.spinLimit = spinLimit
    self.workers = workers
    pthread_mutex_init(mutex, nil)
    pthread_cond_init(condition, nil)
  }

  deinit {
    pthread_cond_destroy(condition)
    pthread_mutex_destroy(mutex)
    mutex.deallocate()
    condition.deallocate()
  }

  /// Runs the job's pieces on the caller (thread 0) and the workers, and waits for all.
  @usableFromInline
  func run(pieces: Int, job: UnsafeRawPointer, invoke: @escaping (UnsafeRawPointer, Int, Int) -> Void) {
    precondition(UInt64(pieces) <= Self.pieceMask, "a job of \(pieces) pieces has too many")
    sharedJobs += 1
    self.job = job
    self.invoke = invoke
    jobNumber = (jobNumber + 1) & ((1 << 24) - 1)
    finished.store(0, ordering: .relaxed)
    claims.store(jobNumber << (2 * Self.pieceBits) | UInt64(pieces) << Self.pieceBits, ordering: .releasing)
    wake()
    let started = nanoseconds()
    let done = runPieces(thread: 0)
    finished.add(done, ordering: .relaxed)
    var spins = 0
    var waitStarted: UInt64 = 0
    while finished.load(ordering: .acquiring) < pieces {
      spins += 1
      if spins == 1 { waitStarted = nanoseconds() }
      if spins > Self.waitSpins { sched_yield() }
    }
    let ended = nanoseconds()
    var starved = false
    if spins > 0 {
      // A wait much longer than the caller's own pieces took each means a worker lost its
      // core in the middle of one.
      let perPiece = (waitStarted - started) / UInt64(max(done, 1))
      if ended - waitStarted > max(4 * perPiece, Self.longWait) {
        // One long wait happens on a quiet machine too (the hypervisor takes a core for a
        // moment); two within 0.1 s mean the core is wanted.
        starved = ended < lastLongWait + Self.firstBackoff
        lastLongWait = ended
        // Finer pieces from now on, for a while: a worker that loses its core again holds
        // less of a job.
        fineUntil = ended + Self.fineStretch
      }
    }
    // Only jobs with pieces enough for every thread tell: in a small one the caller may
    // rightly finish before a spinning worker has looked.
    if pieces >= 4 * (workers + 1) {
      (windowJobs, windowPieces, windowOwn) = (windowJobs + 1, windowPieces + pieces, windowOwn + done)
    }
    if windowJobs == Self.window {
      let workerShare = Double(windowPieces - windowOwn) / Double(windowPieces)
      let fair = Double(workers) / Double(workers + 1)
      if workerShare < fair / 2 { starved = true }
      (windowJobs, windowPieces, windowOwn) = (0, 0, 0)
    }
    if starved {
      fineUntil = ended + Self.fineStretch
      aloneUntil = ended + backoff
      backoff = min(2 * backoff, Self.longestBackoff)
      (windowJobs, windowPieces, windowOwn) = (0, 0, 0)
    } else if ended > aloneUntil + backoff {
      // A long stretch of sharing that paid: the next backoff starts small.
      backoff = Self.firstBackoff
    }
    finePieces = ended < fineUntil
    self.job = nil
    self.invoke = nil
  }

  /// Whether the caller runs this job alone: for a while after sharing stopped paying.
  @usableFromInline
  func runsAlone() -> Bool {
    guard aloneUntil > 0 else { return false }
    guard nanoseconds() < aloneUntil else {
      aloneUntil = 0
      return false
    }
    aloneJobs += 1
    return true
  }

  /// Jobs that could have been shared, and those of them the caller ran alone (read by the
  /// caller's thread only, as `bench` does between epochs).
  var sharedJobs = 0
  var aloneJobs = 0

  /// Claims and runs pieces of the current job until none is left; how many it ran. A worker
  /// counts each piece in `finished` as it ends, so that the caller never waits for one that
  /// is done.
  private func runPieces(thread: Int) -> Int {
    var done = 0
    var word = claims.load(ordering: .acquiring)
    while true {
      let next = word & Self.pieceMask
      let pieces = (word >> Self.pieceBits) & Self.pieceMask
      guard next < pieces else { return done }
      let (exchanged, original) = claims.compareExchange(
        expected: word, desired: word + 1, ordering: .acquiringAndReleasing)
      guard exchanged else {
        word = original
        continue
      }
      invoke!(job!, Int(next), thread)
      done += 1
      if thread > 0 { finished.add(1, ordering: .releasing) }
      word = claims.load(ordering: .acquiring)
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
        // After a short pure spin, each poll yields the core: free when nothing else wants
        // it, and it lets the caller (or another process) run when something does.
        if spins > Self.waitSpins { sched_yield() }
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
      _ = runPieces(thread: index)
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

/// A monotonic clock in nanoseconds (clock_gettime through the vDSO: tens of nanoseconds).
@inline(__always)
func nanoseconds() -> UInt64 {
  var time = timespec()
  clock_gettime(CLOCK_MONOTONIC, &time)
  return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}
