"""NN Playground: TensorFlow Playground, trained server-side in NumPy."""

__version__ = "0.1.0"
