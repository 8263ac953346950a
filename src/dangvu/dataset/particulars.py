"""The particulars of forms 2 and 3-BTCTW for generated members (Youth Union member,
private-enterprise owner, married to a foreigner, academic title), drawn from a hash of the
person rather than from the generators' random streams: adding them left every other drawn
value, and so every figure the tests pin, as it was.

Rates as reported: about a fifth to a quarter of members in the Youth Union (nearly everyone
under 30), about 0.1 % private-enterprise owners, a few married to foreigners, academic
titles among doctors. The values are recorded as in force from the start (no dated change):
a past report counts today's Youth Union members, not those who were under 30 then."""

import zlib
from datetime import date

__all__ = ["particulars"]


def particulars(key: str, born: date, occupation: str, professional: str, today: date) -> dict:
    """The four record fields for a person named by `key` (unique among the generated)."""
    h = zlib.crc32(key.encode())
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    title = ""
    if professional == "doctor":
        title = "professor" if h % 30 == 0 else "associate_professor" if h % 6 == 1 else ""
    return {
        "youth_union": "yes" if age <= 30 and h % 10 else "",
        "enterprise_owner": "yes" if occupation == "enterprise" and h % 40 == 3 else "",
        "married_foreigner": "yes" if h % 1000 == 17 else "",
        "academic_title": title,
    }
