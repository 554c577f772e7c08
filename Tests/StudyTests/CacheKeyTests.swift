import Tensor
import Testing

@testable import Study

/// Cache keys are hashes of JSON: a change of a stored type's encoding, a key's field or the
/// order of anything hashed silently makes every cache entry (and every published key)
/// another. fixtures/keyed-study.yaml is the default study as it was before cells became one
/// type per kind, and these keys are the ones its quick build has with results format 3
/// (snake_case settings, results.json format 2; the halving cell's since it keeps every
/// round's scores); they must not move unless the engine or format version does.
@Suite struct CacheKeyStability {
  static let mnist = [
    "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
    "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
    "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
  ]

  @Test(.enabled(if: Kernels.best.name != "baseline", "keys of FMA kernels"))
  func theDefaultStudysKeysAreUnchanged() throws {
    let study = try Study.load(packageRoot + "/Tests/StudyTests/fixtures/keyed-study.yaml")
    let files = Self.mnist.map { FileDigest(file: "", sha256: $0, bytes: 0, verified: true) }
    let keys = CacheKeys(study: study, files: files, profile: .quick)
    var earlier: [String] = []
    for cell in study.cells {
      earlier.append(keys.cellKey(cell, earlier: earlier))
    }
    #expect(
      earlier == [
        "ad9c4634fd54de76c4bb16e3fabf4f35f1d5e1abbb1f629bc5f9ba8e3a0315d0",
        "2de4cd7592f9f68e4905d66393f69e110cb387c019867a7b0461bf2e6bb2dc84",
        "44e326a545bd510ba1df9d7308b06558e4fbdf486cbfd6c5b53b08a996722411",
        "c36b8c4b3a2bf971be8e7ece9d33fa0731b92ed3663ecc29efe70727a71e1ed1",
        "30b750a456e60304ea5e99e4fc47dc83ceb24080c10013a35682e5c4d3c31513",
        "fc6aea7feaf6ceffdfad5f154c22a0516b3fee0f37350334d0b4d9a489617407",
        "7da6eb6f9cbcb482c0696348723dd3203db6b7864afdef80504e7c299424d796",
        "eec7f01e1c73195bd66607257ce60027dae7a67b7be57729d23dfd87fcbb82ba",
        "e279fe6b84a03500d4c9c664be6a748845ad978815e03d6196c29c985f82d8e0",
        "e67681b3c340738c96f75b28f2bbd5491f2e3bdce37fe7f7379f33cadc4270e9",
      ])
    let baseline = try #require(study.cell("baseline"))
    let run = keys.runKey(Profile.quick.adjust(baseline.settings), data: .split, evaluatesTest: true)
    #expect(run.key == "c3010467ac7a275b51928bb14a445b703ea06e0cb591e00a2bd596016ea05068-2-test")
    #expect(run.family == String(run.key.prefix(64)), "a tested run can stand in for shorter runs of its family")
  }

  @Test func theFolderADatasetIsReadFromIsNotKeyed() throws {
    let files = Self.mnist.map { FileDigest(file: "", sha256: $0, bytes: 0, verified: false) }
    func key(_ path: String) throws -> String {
      let study = try Study.parse(
        validStudy.replacingOccurrences(of: "  seed: 7\n", with: "  seed: 7\n  path: \(path)\n"), file: "s.yaml")
      return CacheKeys(study: study, files: files, profile: .full).dataKey
    }
    #expect(try key("/a/data") == key("/elsewhere/data"))
  }
}
