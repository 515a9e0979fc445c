"""The digits workspace: the article's MNIST model, trained live at /digits (docs/digits.md).

What it is: a vertical slice below the web layer: the data (built-in sample, full MNIST,
Fashion-MNIST; read once per process and shared read-only), the model in Keras's
vocabulary, Keras's `fit()` cut into bounded units of work, the session a page drives, its
messages and frames, and the Keras script it exports.
What it is not: the playground (app/playground) or the socket (app/web/digits).
Trade-off: it reuses the engine's parts (flat parameters, activations, losses, initializers,
optimizers) and the protocol's parsing rules, and sits above app.protocol and app.export in
the layers so it may; nothing below imports it.
"""
