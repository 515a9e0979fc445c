"""`pytorch_script(record)`: a standalone PyTorch script that reruns a playground run.

What it is: source text for a float64 script with an `nn.Sequential` of `nn.Linear` layers
(weight = Keras W transposed), the run's initial weights and data, the loss and the kernel
penalty written as tensors, and the torch optimizer that matches the Keras 3 rule the engine
uses (docs/keras-rules.md). Batches follow the engine's order and each epoch prints the
display loss.
What it is not: faithful to the playground's own quirks (carried-over batches, L1 dead
links); the header says so when they occur.
Trade-off: torch.optim is used wherever its update equals Keras's (SGD unless momentum
meets decay, Adadelta, NAdam with momentum_decay=1, Adam given a per-step epsilon). Where it
does not (epsilon placement in RMSprop, Adagrad and Adamax; a decayed rate folded into SGD's
velocity) the script writes the Keras rule out by hand: even Adagrad's ~2e-7 per-step gap
grew to 2e-4 in a relu run, so the numbers are matched rather than the idiom.
"""

from string import Template
from typing import Any

from app.export.record import RunRecord, layer_sizes
from app.export.replay_source import (
    REPLAY_SOURCE,
    events_section,
    replay_constants,
    replay_facts,
)
from app.export.script_needs import PREAMBLES, needs_line
from app.export.script_parts import (
    data_section,
    docstring,
    float_repr,
    header_lines,
    order_and_loss_source,
)
from app.export.torch_rules import HAND_RULES, KERAS_ADAM, KERAS_RULE
from app.playground.build import optimizer_from
from app.playground.labels import output_activation

TORCH_ACTIVATIONS = {
    "relu": "nn.ReLU()",
    "tanh": "nn.Tanh()",
    "sigmoid": "nn.Sigmoid()",
    "softmax": "nn.Softmax(dim=1)",
}

DATA_LOSSES = {
    "playground": "return (0.5 * ((o - t) ** 2).sum(dim=1)).mean()",
    "mse": "return ((o - t) ** 2).mean(dim=1).mean()",
    "binary_crossentropy": (
        "q = o.clamp(1e-7, 1 - 1e-7)  # Keras clips; the clip blocks the gradient outside\n"
        "    return (-(t * q.log() + (1 - t) * (1 - q).log()).mean(dim=1)).mean()"
    ),
    "categorical_crossentropy": (
        "q = (o / o.sum(dim=1, keepdim=True)).clamp(1e-7, 1 - 1e-7)  # Keras: renormalise, clip\n"
        "    return (-(t * q.log()).sum(dim=1)).mean()"
    ),
}

PENALTIES = {
    "none": "return 0.0  # no regularization",
    "L1": "return RATE * sum(W.abs().sum() for W in kernels)  # λΣ|w|",
    "L2": "return RATE / 2 * sum((W**2).sum() for W in kernels)  # the playground's λ·½w²",
}

SCRIPT = Template('''\
$docstring

$preamble
torch.set_default_dtype(torch.float64)

EPOCHS = $epochs
$constants


def build_model():
    """The network with the run's initial weights; torch stores W as (units, inputs)."""
    model = nn.Sequential(
$layers
    )
    linears = [m for m in model if isinstance(m, nn.Linear)]
    with torch.no_grad():
        for layer, W, b in zip(linears, INITIAL_WEIGHTS[0::2], INITIAL_WEIGHTS[1::2]):
            layer.weight.copy_(torch.from_numpy(W.T))
            layer.bias.copy_(torch.from_numpy(b))
    return model, [layer.weight for layer in linears]


def data_loss(o, t):
    """Mean over the batch of the per-sample loss, as Keras reduces it."""
    $data_loss


def penalty(kernels):
    """Kernel regularization, added to the loss once per batch (not divided by its size)."""
    $penalty

$optimizer_source

def make_optimizer(params):
    $optimizer_comment
    return $optimizer


$order_and_loss
$replay

@torch.no_grad()
def edit(model, event):
    """A weight or bias typed in by hand; torch's weight is Keras's W transposed."""
    linears = [m for m in model if isinstance(m, nn.Linear)]
    kind, layer, *where, value = event
    if kind == "weight":
        src, dst = where
        linears[layer].weight[dst, src] = value
    else:
        linears[layer].bias[where[0]] = value


def train_batch(model, kernels, optimizer, f, y, lr, dead):
    """One update at rate lr: data loss + penalty, the optimizer, then L1's dead links."""
    for group in optimizer.param_groups:
        group["lr"] = lr
    before = [W.detach().numpy().copy() for W in kernels] if KILLS_LINKS else None
    optimizer.zero_grad()
    loss = data_loss(model(torch.from_numpy(f)), torch.from_numpy(y)) + penalty(kernels)
    loss.backward()
    optimizer.step()
    if KILLS_LINKS:
        for W, w_old, d in zip(kernels, before, dead):
            kill_crossings(W.detach().numpy(), w_old, d, lr)  # a view: edits W in place


def main():
    model, kernels = build_model()
    optimizer = make_optimizer(model.parameters())
    data, rate, rng, carried, updates = Data(), Rate(), shuffler(), None, 0
    dead = [np.zeros(tuple(W.shape), dtype=bool) for W in kernels]
    for epoch in range(1, EPOCHS + 1):
        for event in EVENTS.get(epoch - 1, ()):
            if event[0] == "learning_rate":
                rate.base = event[1]
            elif not data.apply(event, rng):
                edit(model, event)
        F, Y = data.train()
        batches, carried = epoch_batches(F, Y, epoch_order(rng, len(F)), carried)
        for f, y in batches:
            train_batch(model, kernels, optimizer, f, y, rate.at(updates), dead)
            updates += 1
        with torch.no_grad():
            train = display_loss(model(torch.from_numpy(F)).numpy(), Y)
            test = display_loss(model(torch.from_numpy(data.test[0])).numpy(), data.test[1])
        print(f"epoch {epoch} loss {train:.12g} test_loss {test:.12g}")


$data

$events

if __name__ == "__main__":
    main()
''')

PRECISION_NOTE = [
    "",
    "Precision: float64 throughout, like the playground's engine; the losses match the",
    "engine's to about 1e-12 relative.",
]


def pytorch_script(record: RunRecord) -> str:
    """A complete, runnable float64 PyTorch script reproducing `record`."""
    s = record.settings
    source, comment, call = torch_optimizer(record)
    lines = header_lines(record, "PyTorch") + replay_facts(record) + PRECISION_NOTE
    lines.insert(1, needs_line("pytorch"))
    return SCRIPT.substitute(
        docstring=docstring(lines),
        preamble=PREAMBLES["pytorch"],
        epochs=record.epochs,
        constants=replay_constants(record, optimizer_from(s).decay),
        layers=_layers(record),
        data_loss=DATA_LOSSES[s.loss],
        penalty=PENALTIES[s.regularization],
        optimizer_source=source,
        optimizer_comment=comment,
        optimizer=call,
        order_and_loss=order_and_loss_source(record),
        replay=REPLAY_SOURCE,
        data=data_section(
            record,
            "# [W1, b1, W2, b2, ...] with W of shape (inputs, units); build_model transposes.",
        ),
        events=events_section(record),
    )


def _layers(record: RunRecord) -> str:
    """`nn.Linear(in, out), activation,` lines; a linear activation is no module at all."""
    s = record.settings
    sizes = layer_sizes(s)
    acts = [s.activation] * len(s.network_shape) + [output_activation(s)]
    lines = []
    for fan_in, fan_out, act in zip(sizes[:-1], sizes[1:], acts, strict=True):
        lines.append(f"        nn.Linear({fan_in}, {fan_out}),")
        if act in TORCH_ACTIVATIONS:
            lines.append(f"        {TORCH_ACTIVATIONS[act]},")
    return "\n".join(lines)


def torch_optimizer(record: RunRecord) -> tuple[str, str, str]:
    """(extra source, docstring line, constructor call) for the record's optimizer."""
    config: dict[str, Any] = optimizer_from(record.settings).config()
    name = config.pop("name")
    changes = any(event[0] == "learning_rate" for _, event in record.replay.events)
    rule = hand_rule(name, config, changes)
    if rule:
        constants = {k.upper(): v for k, v in config.items() if k not in ("learning_rate", "decay")}
        lines = "\n".join(f"{k} = {v!r}" for k, v in constants.items())
        source = f"\n{lines}\n\n\n{KERAS_RULE}\n{HAND_RULES[rule]}"
        comment = f'"""Keras 3 {name}, written out (see keras_update)."""'
        return source, comment, f"KerasRule(params, lr={float_repr(config['learning_rate'])})"
    call, note = TORCH_OPTIMIZERS[name](config, float_repr(config["learning_rate"]))
    return (f"\n{KERAS_ADAM}" if name == "adam" else ""), f'"""{note}"""', call


def hand_rule(name: str, config: dict[str, Any], rate_changes: bool = False) -> str:
    """The key of HAND_RULES when torch.optim does not equal Keras here, else "".
    SGD's momentum buffer equals Keras's velocity only at a constant rate: not under decay
    nor after a recorded learning-rate change."""
    if name in ("rmsprop", "adagrad", "adamax"):
        return name  # epsilon placement: see each rule's docstring for the measured gap
    if name == "sgd" and config["momentum"] > 0 and (config["decay"] > 0 or rate_changes):
        return "sgd"
    return ""


# ---- torch.optim calls where torch's update equals Keras's (to the gap each note states) ----

Config = dict[str, Any]


def _sgd(c: Config, lr: str) -> tuple[str, str]:
    call = (
        f"torch.optim.SGD(params, lr={lr}, momentum={c['momentum']!r}, nesterov={c['nesterov']!r})"
    )
    return call, "Keras's SGD: at a constant rate torch's momentum buffer is Keras's v / -lr."


def _adadelta(c: Config, lr: str) -> tuple[str, str]:
    call = f"torch.optim.Adadelta(params, lr={lr}, rho={c['rho']!r}, eps={c['epsilon']!r})"
    return call, "Keras's Adadelta exactly; the rate is explicit (torch's default is 1.0)."


def _adam(c: Config, lr: str) -> tuple[str, str]:
    call = f"KerasAdam(params, lr={lr}, {_betas(c)}, amsgrad={c['amsgrad']!r})"
    return call, "torch.optim.Adam with Keras's epsilon placement (see KerasAdam)."


def _nadam(c: Config, lr: str) -> tuple[str, str]:
    call = f"torch.optim.NAdam(params, lr={lr}, {_betas(c)}, momentum_decay=1.0)"
    # torch's cache is beta_1·(1 − ½·0.96^(t·momentum_decay)); Keras 3's is 0.96^t.
    return call, "Keras 3's Nadam: momentum_decay=1.0 makes torch's cache 0.96^t."


def _betas(c: Config) -> str:
    return f"betas=({c['beta_1']!r}, {c['beta_2']!r}), eps={c['epsilon']!r}"


TORCH_OPTIMIZERS = {
    "sgd": _sgd,
    "adadelta": _adadelta,
    "adam": _adam,
    "nadam": _nadam,
}
