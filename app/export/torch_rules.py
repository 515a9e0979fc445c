"""Source text of the Keras update rules that the PyTorch script writes out by hand.

What it is: `KERAS_RULE`, a tiny `torch.optim.Optimizer` that applies one `keras_update`
function to every parameter (rate from the param group, so `LambdaLR` can decay it), the
`keras_update` bodies for the rules torch.optim cannot equal (docs/keras-rules.md), and
`KERAS_ADAM`, torch's Adam with Keras's epsilon placement.
What it is not: executed here; these are strings pasted into generated scripts. They read
their hyperparameters from the script's module constants (RHO, MOMENTUM, EPSILON, ...).
Trade-off: a hand-written rule loses torch.optim's familiarity but equals Keras to rounding;
each is kept to the formula lines of the spec so it can be checked against it by eye.
"""

KERAS_RULE = '''\
class KerasRule(torch.optim.Optimizer):
    """Applies keras_update(w, g, state, lr, t) to every parameter; t counts steps from 1."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})
        self.t = 0

    @torch.no_grad()
    def step(self, closure=None):
        self.t += 1
        for group in self.param_groups:
            for w in group["params"]:
                keras_update(w, w.grad, self.state[w], group["lr"], self.t)
'''

HAND_RULES = {
    "sgd": '''
def keras_update(w, g, state, lr, t):
    """Keras 3 SGD with momentum. Keras keeps the rate inside the velocity, v = mu*v - lr*g;
    torch keeps buf = mu*buf + g and multiplies by the current rate, which is the same only
    while the rate is constant. With decay they part: torch.optim.SGD's losses were 8e-2
    relative off Keras's after 10 epochs (momentum 0.9, nesterov, decay 0.01)."""
    v = state.setdefault("v", torch.zeros_like(w))
    v.mul_(MOMENTUM).sub_(lr * g)
    w.add_(MOMENTUM * v - lr * g if NESTEROV else v)
''',
    "rmsprop": '''
def keras_update(w, g, state, lr, t):
    """Keras 3 RMSprop. Keras adds epsilon INSIDE the square root, sqrt(s + eps); torch's
    RMSprop uses sqrt(s) + eps, a relative gap of about eps / (2 s) that grows as gradients
    shrink. Over 10 epochs torch.optim.RMSprop's losses were 3e-3 (plain) to 3e-2
    (centered, momentum 0.5) relative off Keras's."""
    s = state.setdefault("s", torch.zeros_like(w))
    s.mul_(RHO).add_((1 - RHO) * g**2)
    if CENTERED:
        a = state.setdefault("a", torch.zeros_like(w))
        a.mul_(RHO).add_((1 - RHO) * g)
        den = s - a**2 + EPSILON
    else:
        den = s + EPSILON
    inc = lr * g / torch.sqrt(den)
    if MOMENTUM > 0:
        inc = state.setdefault("m", torch.zeros_like(w)).mul_(MOMENTUM).add_(inc)
    w.sub_(inc)
''',
    "adagrad": '''
def keras_update(w, g, state, lr, t):
    """Keras 3 Adagrad: w -= lr*g / sqrt(acc + eps). torch.optim.Adagrad divides by
    sqrt(acc) + eps instead: only ~2e-7 relative per step with the defaults, yet its losses
    were 2e-4 relative off Keras's after 3 epochs of a relu run at lr 0.1."""
    acc = state.setdefault("acc", torch.full_like(w, INITIAL_ACCUMULATOR_VALUE))
    acc.add_(g**2)
    w.sub_(lr * g / torch.sqrt(acc + EPSILON))
''',
    "adamax": '''
def keras_update(w, g, state, lr, t):
    """Keras 3 Adamax: u = max(b2*u, |g|), w -= lr*m / ((1 - b1^t)(u + eps)).
    torch.optim.Adamax puts eps inside the max, max(b2*u, |g| + eps): its losses were 3e-7
    relative off Keras's over 8 epochs with eps = 1e-7, and far more with a larger eps."""
    m = state.setdefault("m", torch.zeros_like(w))
    u = state.setdefault("u", torch.zeros_like(w))
    m.mul_(BETA_1).add_((1 - BETA_1) * g)
    torch.maximum(BETA_2 * u, g.abs(), out=u)
    w.sub_(lr * m / ((1 - BETA_1**t) * (u + EPSILON)))
''',
}

KERAS_ADAM = '''\
class KerasAdam(torch.optim.Adam):
    """torch.optim.Adam with Keras's epsilon. Keras divides by sqrt(v) + eps BEFORE the bias
    correction, torch by sqrt(v / (1 - b2^t)) + eps after it; handing torch
    eps / sqrt(1 - b2^t) at step t makes the two updates identical. Without it the losses
    were 1e-5 to 5e-5 relative off Keras's after 10 epochs at lr 0.01 to 0.03."""

    def __init__(self, params, eps, **kwargs):
        super().__init__(params, eps=eps, **kwargs)
        self.keras_eps, self.t = eps, 0

    def step(self, closure=None):
        self.t += 1
        for group in self.param_groups:
            group["eps"] = self.keras_eps / (1 - group["betas"][1] ** self.t) ** 0.5
        return super().step(closure)
'''
