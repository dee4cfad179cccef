"""Stage 2, tables: a report's text to the template's cells, where text becomes numbers.

``tokens`` cuts the text into cells (labels, values, blanks, row breaks); ``rowlabels`` finds each table's row
labels in the template's order; ``placement`` gives each row its candidate readings; ``recover`` lets the
template's arithmetic choose among them. ``judge`` scores a reader's candidate tables with the same stages.
"""
