"""Endpoint profiles: which CarrierX FlexML endpoint to call through, without its secrets.

A profile names an API URL, a login, a Core API URL and a phone region; its password and
Core token live in the Keychain. profiles.json is versioned JSON written atomically:

    {"version": 1, "selected": "Production", "profiles": [{"name": "Production", ...}]}

The built-in Sandbox profile (a local CarrierX, gui.core.runtime.sandbox) always exists,
comes first, is never written to the file, and cannot be renamed or deleted.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass, fields, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .fileio import SaveError, atomic_write, describe_os_error
from .keychain import PASSWORD, Keychain
from .net import describe_url_risk as describe_url_risk  # the Endpoint panel's, re-exported
from .recovery import data_dir

if TYPE_CHECKING:
    from .runtime.sandbox import Sandbox

DEFAULT_API_URL = "https://api.carrierx.com/flexml/v1"
DEFAULT_CORE_URL = "https://api.carrierx.com/core/v2"
DEFAULT_REGION = "US"
SANDBOX = "Sandbox"
CARRIERX_KIND = "carrierx"
SANDBOX_KIND = "sandbox"
FILE_NAME = "profiles.json"
FILE_VERSION = 1
MAX_NAME = 80


class ProfileError(ValueError):
    """A profile cannot be saved, found or used; the message says why, for people."""


@dataclass(frozen=True)
class Profile:
    """One FlexML endpoint to call through; its password and token are in the Keychain."""

    name: str
    api_url: str = DEFAULT_API_URL
    login: str = ""
    core_url: str = DEFAULT_CORE_URL
    kind: str = CARRIERX_KIND  # "carrierx" | "sandbox"
    region: str = DEFAULT_REGION  # numbers without a country code are read as this region's

    @property
    def is_sandbox(self) -> bool:
        return self.kind == SANDBOX_KIND


# The sandbox's URLs and login change with each start: the running Sandbox has them.
SANDBOX_PROFILE = Profile(SANDBOX, api_url="", core_url="", kind=SANDBOX_KIND)
_FIELDS = tuple(f.name for f in fields(Profile))


@dataclass(frozen=True)
class Endpoint:
    """A profile resolved to what a FlexmlClient needs, password included."""

    profile: str
    api_url: str
    login: str
    password: str
    is_sandbox: bool = False

    def __repr__(self) -> str:
        return (
            f"Endpoint(profile={self.profile!r}, api_url={self.api_url!r}, "
            f"login={self.login!r}, password='***', is_sandbox={self.is_sandbox})"
        )


class ProfileStore:
    """The profiles in `path` (default data_dir()/profiles.json) and which one is selected.

    Every change is written at once; a change that cannot be written raises ProfileError
    and is not made. `recovered` says, for people, when the file was unreadable and moved
    aside (None otherwise)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else data_dir() / FILE_NAME
        self.recovered: str | None = None
        self._profiles: list[Profile] = []
        self._selected = SANDBOX
        self._load()

    # -- reading ------------------------------------------------------------------------

    def profiles(self) -> list[Profile]:
        """Every profile, Sandbox first, then the user's in the order they were added."""
        return [SANDBOX_PROFILE, *self._profiles]

    def names(self) -> list[str]:
        return [profile.name for profile in self.profiles()]

    def get(self, name: str) -> Profile:
        """The profile called `name` (any case); ProfileError naming the known ones."""
        found = self._find(name)
        if found is None:
            raise ProfileError(
                f"there is no profile called {name!r}; the profiles are: " + ", ".join(self.names())
            )
        return found

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._find(name) is not None

    @property
    def selected(self) -> str:
        """The name of the selected profile (Sandbox on first start)."""
        return self._selected

    @selected.setter
    def selected(self, name: str) -> None:
        profile = self.get(name)
        if profile.name != self._selected:
            self._commit(self._profiles, profile.name)

    # -- changing -----------------------------------------------------------------------

    def save(self, profile: Profile) -> Profile:
        """Add `profile`, or replace the one of the same name (any case). Returns it as
        stored: name, URLs and login trimmed, region in capitals."""
        profile = _checked(profile)
        if _same(profile.name, SANDBOX):
            raise ProfileError(f"{SANDBOX} is the built-in profile: choose another name")
        profiles = list(self._profiles)
        index = self._index(profile.name)
        selected = self._selected
        if index is None:
            profiles.append(profile)
        else:
            if _same(selected, profiles[index].name):
                selected = profile.name
            profiles[index] = profile
        self._commit(profiles, selected)
        return profile

    def add(self, profile: Profile) -> Profile:
        """Add a new profile; a name already taken (in any case) is refused, so New and
        Duplicate never overwrite a profile by mistake."""
        existing = self._find(profile.name.strip())
        if existing is not None and not _same(existing.name, SANDBOX):  # save() says why
            raise ProfileError(f"there is already a profile called {existing.name}")
        return self.save(profile)

    def rename(self, old: str, new: str) -> Profile:
        """Give profile `old` the name `new`; it stays where it was in the list."""
        index = self._user_index(old, "renamed")
        profile = self._profiles[index]
        renamed = _checked(replace(profile, name=new))
        if _same(renamed.name, SANDBOX):
            raise ProfileError(f"{SANDBOX} is the built-in profile: choose another name")
        other = self._find(renamed.name)
        if other is not None and other is not profile:
            raise ProfileError(f"a profile called {other.name!r} exists already")
        profiles = list(self._profiles)
        profiles[index] = renamed
        selected = renamed.name if _same(self._selected, profile.name) else self._selected
        self._commit(profiles, selected)
        return renamed

    def delete(self, name: str) -> None:
        """Remove profile `name`; when it was selected, Sandbox is."""
        index = self._user_index(name, "deleted")
        profiles = list(self._profiles)
        removed = profiles.pop(index)
        selected = SANDBOX if _same(self._selected, removed.name) else self._selected
        self._commit(profiles, selected)

    def unique_name(self, wanted: str) -> str:
        """`wanted`, or `wanted 2`, `wanted 3` ... whichever is free."""
        wanted = wanted.strip() or "Profile"
        name, number = wanted, 1
        while name in self:
            number += 1
            name = f"{wanted} {number}"
        return name

    # -- the file -----------------------------------------------------------------------

    def _find(self, name: str) -> Profile | None:
        for profile in self.profiles():
            if _same(profile.name, name):
                return profile
        return None

    def _index(self, name: str) -> int | None:
        for index, profile in enumerate(self._profiles):
            if _same(profile.name, name):
                return index
        return None

    def _user_index(self, name: str, what: str) -> int:
        if _same(name, SANDBOX):
            raise ProfileError(f"the built-in {SANDBOX} profile cannot be {what}")
        index = self._index(name)
        if index is None:
            self.get(name)  # raises, naming the profiles there are
            raise AssertionError("unreachable")
        return index

    def _commit(self, profiles: list[Profile], selected: str) -> None:
        data = {
            "version": FILE_VERSION,
            "selected": selected,
            "profiles": [_to_json(profile) for profile in profiles],
        }
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, text.encode("utf-8"))
        except OSError as exc:
            raise ProfileError(
                f"could not save the profiles in {self.path}: {describe_os_error(exc)}"
            ) from None
        except SaveError as exc:
            raise ProfileError(str(exc)) from None
        self._profiles = profiles
        self._selected = selected

    def _load(self) -> None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return
        except OSError as exc:
            self.recovered = (
                f"the profiles in {self.path} cannot be read ({describe_os_error(exc)}); "
                "only the Sandbox profile is available"
            )
            return
        try:
            data = json.loads(raw.decode("utf-8"))
            profiles, skipped = _from_json(data)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            self._move_aside(f"it is not a FlexML Studio profiles file ({_short(exc)})")
            return
        self._profiles = profiles
        selected = data.get("selected")
        found = self._find(selected) if isinstance(selected, str) else None
        self._selected = found.name if found is not None else SANDBOX
        if skipped:
            # Keep the original aside, then write what was understood.
            self._move_aside("some profiles in it were unreadable: " + "; ".join(skipped))
            # If this fails the next change tries again; `recovered` says what happened.
            with contextlib.suppress(ProfileError):
                self._commit(self._profiles, self._selected)

    def _move_aside(self, why: str) -> None:
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        number = 1
        while os.path.lexists(aside):
            number += 1
            aside = self.path.with_name(f"{self.path.name}.corrupt-{stamp}-{number}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self.recovered = (
                f"{self.path} was not used because {why}, and could not be moved aside "
                f"({describe_os_error(exc)})"
            )
            return
        self.recovered = f"{self.path} was not used because {why}; it was moved to {aside.name}"


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _short(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


def _to_json(profile: Profile) -> dict[str, str]:
    # Field by field from the dataclass: there is no password field to leak.
    return {name: value for name, value in asdict(profile).items() if name != "kind"}


def _from_json(data: Any) -> tuple[list[Profile], list[str]]:
    if not isinstance(data, dict):
        raise ValueError("the file holds no JSON object")
    version = data.get("version")
    if version != FILE_VERSION:
        raise ValueError(f"format version {version!r}, this FlexML Studio reads {FILE_VERSION}")
    entries = data["profiles"]
    if not isinstance(entries, list):
        raise ValueError('"profiles" is not a list')
    profiles: list[Profile] = []
    skipped: list[str] = []
    for number, entry in enumerate(entries, 1):
        try:
            if not isinstance(entry, dict):
                raise ProfileError("it is not a JSON object")
            values = {k: v for k, v in entry.items() if k in _FIELDS and k != "kind"}
            if not all(isinstance(v, str) for v in values.values()):
                raise ProfileError("a field is not text")
            profile = _checked(Profile(**values))
            if _same(profile.name, SANDBOX) or any(_same(profile.name, p.name) for p in profiles):
                raise ProfileError(f"the name {profile.name!r} is taken")
        except (ProfileError, TypeError) as exc:
            skipped.append(f"profile {number}: {_short(exc)}")
            continue
        profiles.append(profile)
    return profiles, skipped


def _checked(profile: Profile) -> Profile:
    """`profile` trimmed and checked; ProfileError saying what is wrong."""
    name = " ".join(profile.name.split())
    if not name:
        raise ProfileError("a profile needs a name")
    if len(name) > MAX_NAME:
        raise ProfileError(f"a profile name has at most {MAX_NAME} characters")
    if name.startswith("("):
        # "(flow server)" and the like name the app's own secrets in the keyring.
        raise ProfileError("a profile name cannot start with '(': those names are the app's own")
    if profile.kind != CARRIERX_KIND:
        raise ProfileError(f"only the built-in {SANDBOX} profile is of kind {profile.kind!r}")
    api_url = profile.api_url.strip()
    core_url = profile.core_url.strip()
    check_url(api_url, "API URL")
    check_url(core_url, "Core API URL")
    region = profile.region.strip().upper()
    if not _known_region(region):
        raise ProfileError(f"{profile.region!r} is not a phone region (a code such as US or GB)")
    return Profile(name, api_url, profile.login.strip(), core_url, CARRIERX_KIND, region)


def check_url(url: str, what: str = "API URL") -> str:
    """`url` trimmed, when it is an http(s) URL naming a host, without a login, password,
    query or fragment (the rules of gui.core.carrierx.check_api_url, without importing
    httpx); else ProfileError, whose message never quotes a password in the URL."""
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ProfileError(f"the {what} is not a valid URL (is the port a number?)") from None
    # Before any message that quotes the URL: it would quote the password too.
    if parts.username is not None or parts.password is not None:
        raise ProfileError(f"the {what} must not hold a login or password; enter them apart")
    if parts.scheme not in ("http", "https") or not host:
        raise ProfileError(f"the {what} must start with https:// and name a host: {url!r}")
    if parts.query or parts.fragment:
        raise ProfileError(f"the {what} must not have a ?query or #fragment: {url!r}")
    return url


def _known_region(region: str) -> bool:
    import phonenumbers

    return region in phonenumbers.SUPPORTED_REGIONS


def sandbox_endpoint(sandbox: Sandbox) -> Endpoint:
    """The built-in Sandbox profile's endpoint: the started sandbox's URL and credentials
    (no secret from the keychain is needed)."""
    credentials = sandbox.credentials
    return Endpoint(SANDBOX, sandbox.api_url, credentials.login, credentials.password, True)


def resolve(profile: Profile, keychain: Keychain, sandbox: Sandbox | None = None) -> Endpoint:
    """What calling through `profile` needs. A sandbox profile takes the URL and
    credentials of `sandbox` (started); any other its login and the Keychain's password.
    Raises ProfileError saying what is missing."""
    if profile.is_sandbox:
        if sandbox is None or not sandbox.running:
            raise ProfileError("the sandbox is not running")
        return sandbox_endpoint(sandbox)
    if not profile.login:
        raise ProfileError(
            f"the profile {profile.name!r} has no login: enter the FlexML endpoint's login "
            "(or find it with a Core API token) and save"
        )
    check_url(profile.api_url, "API URL")
    password = keychain.get(profile.name, PASSWORD)
    if not password:
        where = " " + keychain.where() if not keychain.available else ""
        raise ProfileError(
            f"no password is saved for the profile {profile.name!r}: enter it in the "
            f"Endpoint panel and save.{where}"
        )
    return Endpoint(profile.name, profile.api_url, profile.login, password)


def credentials_for_profile(name: str) -> tuple[str, str, str]:
    """(api_url, login, password) of the saved profile `name`, for the command line."""
    store = ProfileStore()
    profile = store.get(name)
    if profile.is_sandbox:
        raise ProfileError(
            f"the {SANDBOX} profile lives in the window; run `flexml-studio sandbox` and set "
            "FLEXML_API_URL, FLEXML_LOGIN and FLEXML_PASSWORD to the API URL, login and "
            "password it prints"
        )
    endpoint = resolve(profile, Keychain())
    return endpoint.api_url, endpoint.login, endpoint.password
