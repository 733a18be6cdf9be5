"""Which years' general holidays have been gazetted (Cap. 149).

Later years come from the `holidays` package's forecast (lunar dates, Sunday
replacements) and are shown as provisional until someone checks them against the
Gazette; an admin corrects a day with a HolidayAdjustment. Move this on each year.
"""

GAZETTED_THROUGH = 2026
