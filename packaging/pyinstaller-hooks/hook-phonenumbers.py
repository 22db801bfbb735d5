"""PyInstaller hook for phonenumbers, in place of pyinstaller-hooks-contrib's (which collects
every submodule): the region metadata is imported lazily by name, so it is listed here, but
the geocoder, carrier and time-zone tables (about 45 MB) are left out: the app never uses
them, and the spec excludes them too."""

from PyInstaller.utils.hooks import collect_submodules

UNUSED = ("geocoder", "geodata", "carrier", "carrierdata", "timezone", "tzdata")

hiddenimports = collect_submodules(
    "phonenumbers",
    filter=lambda name: (
        not any(
            name == f"phonenumbers.{part}" or name.startswith(f"phonenumbers.{part}.")
            for part in UNUSED
        )
    ),
)
