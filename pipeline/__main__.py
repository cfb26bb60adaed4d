"""`python -m pipeline` is the `vanban` command."""
from .cli import main

main()
