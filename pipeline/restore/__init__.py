"""Diacritic restoration of OCR'd or unaccented text (noisy channel + language model).

``restorer`` decodes a text or an OCR'd page (candidates, scoring, the models it loads);
``channel`` holds the OCR channel costs; ``lm`` the Kneser-Ney syllable LM (and
``vanban train-lm``'s training); ``tokens`` what a token, a number and a run break are, for
the LM's training text and the text restored alike; ``align`` maps restored offsets back to the raw text.
"""
