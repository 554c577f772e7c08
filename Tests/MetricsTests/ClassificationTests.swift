import Foundation
import Testing

@testable import Metrics

/// Labels and predictions whose report scikit-learn 1.9 computed (see the comments); class
/// 3 is never predicted, so its precision divides by zero (zero_division = 0).
let labels = [
  3, 2, 2, 3, 2, 3, 3, 0, 0, 1, 1, 3, 3, 0, 1, 3, 0, 3, 0, 1, 3, 1, 1, 1, 2, 1, 3, 1, 1, 2, 2, 2, 2, 3, 3, 3, 2, 2, 1,
  3,
]
let predicted = [
  2, 2, 2, 2, 2, 2, 2, 0, 0, 1, 1, 2, 2, 0, 1, 2, 0, 2, 2, 1, 2, 2, 1, 1, 2, 2, 2, 1, 1, 0, 2, 2, 2, 2, 2, 2, 2, 2, 1,
  2,
]

@Suite struct ClassificationMetrics {
  @Test func confusionMatrixMatchesScikitLearn() {
    let matrix = ConfusionMatrix(labels: labels, predicted: predicted, classes: 4)
    // sklearn.metrics.confusion_matrix(y, p, labels=[0, 1, 2, 3])
    #expect(matrix.counts == [[4, 0, 1, 0], [0, 9, 2, 0], [1, 0, 9, 0], [0, 0, 14, 0]])
    #expect(matrix.accuracy == 0.55)
    #expect(matrix.support == [5, 11, 10, 14])
  }

  @Test func reportMatchesScikitLearn() {
    let report = ClassificationReport(ConfusionMatrix(labels: labels, predicted: predicted, classes: 4))
    // classification_report(y, p, labels=[0, 1, 2, 3], output_dict=True, zero_division=0)
    let expected: [(Double, Double, Double, Int)] = [
      (0.8, 0.8, 0.8, 5), (1.0, 0.8181818181818182, 0.9, 11), (0.34615384615384615, 0.9, 0.5, 10), (0, 0, 0, 14),
    ]
    for (scores, e) in zip(report.perClass, expected) {
      #expect(abs(scores.precision - e.0) < 1e-12 && abs(scores.recall - e.1) < 1e-12)
      #expect(abs(scores.f1 - e.2) < 1e-12 && scores.support == e.3)
    }
    #expect(report.accuracy == 0.55)
    #expect(abs(report.macroAverage.precision - 0.5365384615384615) < 1e-12)
    #expect(abs(report.macroAverage.recall - 0.6295454545454545) < 1e-12)
    #expect(abs(report.macroAverage.f1 - 0.55) < 1e-12)
    #expect(abs(report.weightedAverage.precision - 0.4615384615384615) < 1e-12)
    #expect(abs(report.weightedAverage.recall - 0.55) < 1e-12)
    #expect(abs(report.weightedAverage.f1 - 0.4725) < 1e-12)
    #expect(report.weightedAverage.support == 40)
  }

  @Test func reportEncodesWithScikitLearnNames() throws {
    let report = ClassificationReport(ConfusionMatrix(labels: labels, predicted: predicted, classes: 4))
    let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
    #expect(Set(json.keys) == ["0", "1", "2", "3", "accuracy", "macro avg", "weighted avg"])
    let zero = json["0"] as! [String: Any]
    #expect(Set(zero.keys) == ["precision", "recall", "f1-score", "support"])
    let decoded = try JSONDecoder().decode(ClassificationReport.self, from: JSONEncoder().encode(report))
    #expect(decoded == report)
  }

  @Test func argmaxTakesTheFirstOfTies() {
    #expect(argmax([1, 3, 3, 2]) == 1)
    #expect(argmax([Float(-1)]) == 0)
  }

  @Test func confidentMistakesAreTheSurestWrongAnswers() {
    let probabilities: [Float] = [
      0.9, 0.1,  // 0: right (label 0)
      0.2, 0.8,  // 1: wrong, 0.8
      0.05, 0.95,  // 2: wrong, 0.95
      0.4, 0.6,  // 3: right (label 1)
      0.7, 0.3,  // 4: wrong, 0.7
    ]
    let mistakes = confidentMistakes(probabilities: probabilities, labels: [0, 0, 0, 1, 1], classes: 2, count: 2)
    #expect(mistakes.map(\.index) == [2, 1])
    #expect(mistakes[0] == Mistake(index: 2, label: 0, predicted: 1, confidence: Double(Float(0.95))))
  }
}
