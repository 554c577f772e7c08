import Synchronization

@testable import Tensor

extension WorkerPool {
  /// Runs `job(thread, thread:)` once on every thread of the team (to set a thread's own
  /// state: the allocation counter's, say), and waits for all. Each thread holds its piece
  /// until every thread has one, so no thread can take two.
  public func onEveryThread<Job: ParallelJob>(_ job: Job) {
    guard threadCount > 1 else { return job(0, thread: 0) }
    let arrivals = Arrivals()
    withUnsafePointer(to: EveryThread(job: job, arrivals: arrivals, count: threadCount)) { pointer in
      team.run(pieces: threadCount, job: UnsafeRawPointer(pointer), invoke: Trampoline<EveryThread<Job>>.invoke)
    }
  }
}

/// How many threads have taken their piece of an `onEveryThread` job.
final class Arrivals: Sendable {
  let count = Atomic<Int>(0)
}

/// A job run once per thread: each piece waits for the others to be taken.
struct EveryThread<Job: ParallelJob>: ParallelJob {
  let job: Job
  let arrivals: Arrivals
  let count: Int

  func callAsFunction(_ piece: Int, thread: Int) {
    job(thread, thread: thread)
    arrivals.count.add(1, ordering: .acquiringAndReleasing)
    while arrivals.count.load(ordering: .acquiring) < count {}
  }
}
