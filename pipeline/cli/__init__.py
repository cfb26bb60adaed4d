"""The `vanban` command line (``python -m pipeline``).

``main`` holds the command group and the run, ocr, restore, extract and query commands;
``train`` holds ``vanban train-lm``.
"""
