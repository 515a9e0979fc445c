"""`python -m app` is the same as the `nn-playground` command."""

from app.cli import main

main()
