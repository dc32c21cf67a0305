"""The lab-results surface (the portal's "test results", surface key ``test-results``), in three parts.

``portal``: the list and detail requests and the page's tokens; ``pdf``: a result's PDF (requests and the
step that turns it into resources); ``collect``: the sync's collection step and the surface table's row.
"""
