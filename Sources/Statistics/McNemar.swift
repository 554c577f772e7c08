import Foundation

/// McNemar's exact test of two classifiers on the same images (statsmodels' `mcnemar(exact=
/// True)`): of the images exactly one of them gets right, A alone right on `b` and B alone
/// on `c`; under no difference each is a fair coin, so the two-sided p value is
/// `min(1, 2 P(X ≤ min(b, c)))`, X ~ Binomial(b + c, ½).
public func mcnemarExact(b: Int, c: Int) -> Double {
  let n = b + c
  guard n > 0 else { return 1 }
  let k = min(b, c)
  var tail = 0.0
  for i in 0...k {
    tail += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) - Double(n) * log(2.0))
  }
  return min(1, 2 * tail)
}
