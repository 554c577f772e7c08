import Tensor
import Testing

@testable import Study

/// Cache keys are hashes of JSON: a change of a stored type's encoding, a key's field or the
/// order of anything hashed silently makes every cache entry (and every published key)
/// another. fixtures/keyed-study.yaml is the default study as it was before cells became one
/// type per kind, and these keys are the ones its quick build has with cache format 5 (every
/// key's JSON snake_case by the coders' key strategy; the halving cell's since it keeps every
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
    #expect(
      keys.cellKeys(study) == [
        "9bfa412b9635e81501b23e063a8094d178ea728e59bea513479bf3a787018723",
        "5fadfdb0670190a9ce477eb4b7438a80a5337495785adacf442dbd4dac120aab",
        "d54ef17ae58461801c7a7c43175ab94093970135353e78cf74b6f4962f968c95",
        "e94237610dd8d22235315303a7e0381e981af8818863b475b281db4d80a2555d",
        "7b458cd437c07cab8ab3d3071775882560ce43594cefaf29786d3c050e3bba10",
        "0da4ca3f333f3eefe68c04693a0cf7ebd3d6a3c7ce3bdca090621279a39e2f8e",
        "2ee47a2fa078dee28ecf4775503fd44d789347a4182b2a76360dc67f430c4874",
        "d261821027526ca31c53f6fadbaa767f169f9a1669ded021a91aa5ff3dbba2fe",
        "b9924d294f865cc90aa6b846f90ec086a666829d7dca3a6a2c7484e9602db900",
        "ae5515081e65320b3cc74a48d4121372a3f06997711622be759e240d0374fa0e",
      ])
    let baseline = try #require(study.cell("baseline"))
    let run = keys.runKey(Profile.quick.adjust(baseline.settings), data: .split, evaluatesTest: true)
    #expect(run.key == "21d66e052b596d397d6ddb353991e332566866080eb82298a0ffc311ed0c63af-2-test")
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
