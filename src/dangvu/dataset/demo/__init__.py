"""Demo data for `dangvu demo`: generated members (no real people) in real places.

Kon Tum → Đắk Glei district (49 grassroots organisations; on 20/6/2022: 2,733 members, 1,807
ethnic minority, 886 women, 143 religious), Hà Giang → Quang Bình, Cà Mau (Trần Văn Thời, Đầm
Dơi) and Bạc Liêu (Vĩnh Lợi), with decades of history and the 2025 reorganisation. Modules:

- places: administrative units and the 2025 mapping from `vietnamadminunits`;
- structure: the tree before 2025 and its organisation codes;
- names: generated Vietnamese names;
- people: members and their histories;
- tree, reorganisation, users: writing it all through the services;
- generator: `demo_load()`, the whole run in one transaction.
"""

from dangvu.dataset.demo.generator import DemoConflict, DemoResult, demo_load, demo_loaded
from dangvu.dataset.demo.users import DEMO_PASSWORD, SignIn, demo_signins

__all__ = [
    "DEMO_PASSWORD",
    "DemoConflict",
    "DemoResult",
    "SignIn",
    "demo_load",
    "demo_loaded",
    "demo_signins",
]
