import Foundation
import Synchronization
import TestFixtures
import Testing

@testable import Tensor

/// Counts how often each piece ran and on which threads.
final class PieceLog: @unchecked Sendable {
  let runs: UnsafeMutablePointer<Atomic<Int>>
  let threads: UnsafeMutablePointer<Atomic<Int>>
  let count: Int

  init(pieces: Int, threads: Int) {
    count = pieces
    runs = .allocate(capacity: pieces)
    for i in 0..<pieces { (runs + i).initialize(to: Atomic(0)) }
    self.threads = .allocate(capacity: threads)
    for i in 0..<threads { (self.threads + i).initialize(to: Atomic(0)) }
  }

  deinit {
    runs.deallocate()
    threads.deallocate()
  }
}

struct LoggedPieces: ParallelJob {
  let log: PieceLog
  /// Microseconds of work per piece, so that pieces overlap between threads.
  let spin: Int

  func callAsFunction(_ piece: Int, thread: Int) {
    let end = DispatchTime.now().uptimeNanoseconds + UInt64(spin * 1000)
    while DispatchTime.now().uptimeNanoseconds < end {}
    log.runs[piece].add(1, ordering: .relaxed)
    log.threads[thread].add(1, ordering: .relaxed)
  }
}

@Suite(.serialized) struct WorkerPools {
  @Test func everyPieceRunsOnceWhicheverThreadTakesIt() {
    for threads in [1, 2, 3] {
      let pool = WorkerPool(threadCount: threads)
      for pieces in [1, 2, 7, 64] {
        let log = PieceLog(pieces: pieces, threads: threads)
        pool.run(pieces: pieces, LoggedPieces(log: log, spin: 20))
        #expect((0..<pieces).allSatisfy { log.runs[$0].load(ordering: .relaxed) == 1 }, "\(pieces) on \(threads)")
        let total = (0..<threads).reduce(0) { $0 + log.threads[$1].load(ordering: .relaxed) }
        #expect(total == pieces)
      }
    }
  }

  @Test func aBusyCoreBesideThePoolLosesNoPiece() {
    let busy = BusyThread()
    defer { busy.stop() }
    let pool = WorkerPool(threadCount: 2)
    // Many jobs back to back, as training issues them: some shared, some (once sharing
    // stops paying) run by the caller alone; every piece of every job runs once.
    for _ in 0..<400 {
      let log = PieceLog(pieces: 16, threads: 2)
      pool.run(pieces: 16, LoggedPieces(log: log, spin: 5))
      #expect((0..<16).allSatisfy { log.runs[$0].load(ordering: .relaxed) == 1 })
    }
  }

  @Test func onEveryThreadRunsOnceOnEachThread() {
    let pool = WorkerPool(threadCount: 3)
    for _ in 0..<20 {
      let log = PieceLog(pieces: 3, threads: 3)
      pool.onEveryThread(LoggedPieces(log: log, spin: 0))
      #expect((0..<3).allSatisfy { log.threads[$0].load(ordering: .relaxed) == 1 })
    }
  }

  @Test func jobsHaveOnePiecePerThreadUntilAWorkerIsWaitedFor() {
    let pool = WorkerPool(threadCount: 2)
    #expect(pool.pieces(1_000) == 2, "equal parts while sharing goes well")
    #expect(pool.pieces(100, grain: 64) == 1)
    #expect(WorkerPool(threadCount: 1).pieces(1_000) == 1)
    // A worker that takes 3 ms over a piece the caller would do in microseconds, as one that
    // lost its core does: the next jobs are cut finer. On a loaded machine (the other tests
    // run meanwhile) the caller may take both pieces before the worker wakes, so it tries
    // for up to ten seconds.
    let deadline = Date().addingTimeInterval(10)
    while !pool.team.finePieces && Date() < deadline {
      pool.run(pieces: 2, SlowOnWorkers(microseconds: 3_000))
    }
    #expect(pool.team.finePieces)
    #expect(pool.pieces(1_000) == 2 * WorkerPool.piecesPerThread)
    #expect(pool.pieces(3) == 3)
  }
}

/// A job whose pieces take 0.2 ms on the caller and much longer on the workers.
struct SlowOnWorkers: ParallelJob {
  let microseconds: Int

  func callAsFunction(_ piece: Int, thread: Int) {
    if thread > 0 {
      usleep(UInt32(microseconds))
    } else {
      let end = DispatchTime.now().uptimeNanoseconds + 200_000
      while DispatchTime.now().uptimeNanoseconds < end {}
    }
  }
}
