// The coefficients of one optimizer step, passed to the update kernels of a `KernelTable`.

/// The coefficients of one SGD step.
public struct SGDUpdate: Sendable {
  public var learningRate: Float, momentum: Float, dampening: Float, weightDecay: Float
  public var nesterov: Bool, firstStep: Bool
  public init(
    learningRate: Float, momentum: Float, dampening: Float, weightDecay: Float, nesterov: Bool, firstStep: Bool
  ) {
    (self.learningRate, self.momentum, self.dampening) = (learningRate, momentum, dampening)
    (self.weightDecay, self.nesterov, self.firstStep) = (weightDecay, nesterov, firstStep)
  }
}

/// The coefficients of one RMSprop step.
public struct RMSpropUpdate: Sendable {
  public var learningRate: Float, alpha: Float, epsilon: Float, momentum: Float, weightDecay: Float
  public init(learningRate: Float, alpha: Float, epsilon: Float, momentum: Float, weightDecay: Float) {
    (self.learningRate, self.alpha, self.epsilon) = (learningRate, alpha, epsilon)
    (self.momentum, self.weightDecay) = (momentum, weightDecay)
  }
}

/// The coefficients of one Adam step: `stepSize` = lr / (1 − β₁ᵗ), `correction` = √(1 − β₂ᵗ),
/// `l2` the coupled weight decay, `shrink` the decoupled one (1 − lr·λ, or 1).
public struct AdamUpdate: Sendable {
  public var stepSize: Float, correction: Float, beta1: Float, beta2: Float, epsilon: Float
  public var l2: Float, shrink: Float
  public init(
    stepSize: Float, correction: Float, beta1: Float, beta2: Float, epsilon: Float, l2: Float, shrink: Float
  ) {
    (self.stepSize, self.correction, self.beta1, self.beta2) = (stepSize, correction, beta1, beta2)
    (self.epsilon, self.l2, self.shrink) = (epsilon, l2, shrink)
  }
}
