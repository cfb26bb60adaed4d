"""Input and output of files: what a file is and its pages as text or pixels.

``ingest`` identifies a file and reads what needs no OCR (text dumps, PDF text layers);
``legacy`` decodes TCVN3 and other pre-Unicode encodings; ``rasterize`` turns PDF pages
and images into page images; ``names`` stores, logs and shows any file name safely;
``tools`` sets the environment of the programs vanban runs (tesseract, pdftoppm).
"""
