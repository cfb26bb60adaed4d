"""The page image before OCR: from a scan to clean black-on-white pixels, and its tables.

``cleanup`` runs the steps (illumination, stamp and pen removal, deskew, binarisation,
specks); ``orientation`` finds a page turned 90/180/270°; ``tables`` finds the ruled
annex tables ("Phụ lục") and reads them cell by cell.
"""
