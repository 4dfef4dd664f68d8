"""Names of cookies read on both sides of the API/console line."""

from __future__ import annotations

#: The language a staff member chose in the console; the report pages follow it too.
LANG_COOKIE = "tadrib_lang"
