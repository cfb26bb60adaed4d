"""Reading a cleaned page: words with boxes, the page's layout, handwritten digits.

``tesseract`` calls Tesseract ``vie`` (words, boxes, confidences); ``layout``
finds the state-document regions (header, number line, title, body, "Nơi nhận:",
signature, stamps) from the OCR'd word boxes; ``handwriting`` reads pen digits in blanks.
"""
