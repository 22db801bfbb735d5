"""Endpoint profiles: the file, the built-in Sandbox, URL risks and resolving credentials."""

import json

import keyring
import pytest

from gui.core import profiles as profiles_module
from gui.core.keychain import CORE_TOKEN, PASSWORD, Keychain
from gui.core.profiles import (
    DEFAULT_API_URL,
    DEFAULT_CORE_URL,
    SANDBOX,
    Endpoint,
    Profile,
    ProfileError,
    ProfileStore,
    credentials_for_profile,
    describe_url_risk,
    resolve,
)
from gui.core.recovery import data_dir
from gui.core.runtime.sandbox import Sandbox
from tests.core.test_keychain import MemoryKeyring


@pytest.fixture
def path(tmp_path):
    return tmp_path / "profiles.json"


@pytest.fixture
def memory():
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    return backend


@pytest.fixture
def sandbox():
    with Sandbox() as running:
        yield running


PROD = Profile("Production", login="prod_login", region="GB")


# -- the store -------------------------------------------------------------------------


def test_first_start_has_just_the_selected_sandbox(path):
    store = ProfileStore(path)
    assert [p.name for p in store.profiles()] == [SANDBOX]
    assert store.selected == SANDBOX
    assert store.get(SANDBOX).is_sandbox
    assert store.recovered is None
    assert not path.exists()  # nothing written until something changes


def test_round_trip_keeps_profiles_order_and_selection(path):
    store = ProfileStore(path)
    store.save(PROD)
    store.save(Profile("  Staging  ", api_url=" https://staging.example.com/flexml/v1 "))
    store.selected = "staging"  # any case
    again = ProfileStore(path)
    assert again.profiles() == store.profiles()
    assert [p.name for p in again.profiles()] == [SANDBOX, "Production", "Staging"]
    staging = again.get("Staging")
    assert staging.api_url == "https://staging.example.com/flexml/v1"
    assert staging.core_url == DEFAULT_CORE_URL and staging.region == "US"
    assert again.get("production") == PROD
    assert again.selected == "Staging"
    data = json.loads(path.read_text())
    assert data["version"] == 1 and data["selected"] == "Staging"
    assert data["profiles"][0] == {
        "name": "Production",
        "api_url": DEFAULT_API_URL,
        "login": "prod_login",
        "core_url": DEFAULT_CORE_URL,
        "region": "GB",
    }


def test_the_default_file_is_in_the_data_folder():
    store = ProfileStore()
    store.save(PROD)
    assert (data_dir() / "profiles.json").is_file()


def test_add_refuses_a_taken_name_in_any_case(path):
    store = ProfileStore(path)
    store.save(PROD)
    with pytest.raises(ProfileError, match="already a profile called Production"):
        store.add(Profile("PRODUCTION", login="someone_else"))
    assert store.get("Production").login == "prod_login"
    assert store.add(Profile("Staging")).name == "Staging"


def test_names_in_parentheses_are_the_apps_own(path):
    # "(flow server)" holds the flow server's token in the keyring: no profile may take it.
    with pytest.raises(ProfileError, match="cannot start with"):
        ProfileStore(path).save(Profile("(flow server)"))


def test_save_replaces_by_name_in_any_case(path):
    store = ProfileStore(path)
    store.save(PROD)
    store.selected = "Production"
    store.save(Profile("PRODUCTION", login="new"))
    assert [p.name for p in store.profiles()] == [SANDBOX, "PRODUCTION"]
    assert store.get("production").login == "new"
    assert store.selected == "PRODUCTION"


@pytest.mark.parametrize(
    ("profile", "message"),
    [
        (Profile("   "), "needs a name"),
        (Profile("x" * 81), "at most 80"),
        (Profile("sandbox"), "built-in profile"),
        (Profile("P", api_url="api.carrierx.com"), "must start with https://"),
        (Profile("P", api_url="ftp://example.com"), "must start with https://"),
        (Profile("P", api_url="https://user:pw@example.com"), "must not hold a login"),
        (Profile("P", api_url="https://example.com/?a=1"), r"must not have a \?query"),
        (Profile("P", core_url="https://example.com:99999"), "not a valid URL"),
        (Profile("P", region="Narnia"), "not a phone region"),
        (Profile("P", kind="sandbox"), "only the built-in Sandbox"),
    ],
)
def test_bad_profiles_are_refused_with_a_reason(path, profile, message):
    store = ProfileStore(path)
    with pytest.raises(ProfileError, match=message) as caught:
        store.save(profile)
    assert "pw@" not in str(caught.value)
    assert len(store.profiles()) == 1 and not path.exists()


def test_sandbox_cannot_be_deleted_or_renamed(path):
    store = ProfileStore(path)
    with pytest.raises(ProfileError, match="cannot be deleted"):
        store.delete("Sandbox")
    with pytest.raises(ProfileError, match="cannot be renamed"):
        store.rename("SANDBOX", "Mine")


def test_rename_keeps_place_and_selection_and_refuses_taken_names(path):
    store = ProfileStore(path)
    store.save(PROD)
    store.save(Profile("Staging"))
    store.selected = "Production"
    with pytest.raises(ProfileError, match="'Staging' exists already"):
        store.rename("Production", "staging")
    with pytest.raises(ProfileError, match="built-in"):
        store.rename("Production", "Sandbox")
    renamed = store.rename("Production", " Live ")
    assert renamed.name == "Live" and renamed.login == "prod_login"
    store.rename("Live", "LIVE")  # only the case changes
    assert [p.name for p in store.profiles()] == [SANDBOX, "LIVE", "Staging"]
    assert ProfileStore(path).selected == "LIVE"


def test_delete_selected_falls_back_to_sandbox_and_unknown_names_are_listed(path):
    store = ProfileStore(path)
    store.save(PROD)
    store.selected = "Production"
    store.delete("production")
    assert store.selected == SANDBOX and ProfileStore(path).selected == SANDBOX
    with pytest.raises(ProfileError, match="no profile called 'Nope'; the profiles are: Sandbox"):
        store.delete("Nope")
    with pytest.raises(ProfileError, match="no profile called"):
        store.selected = "Nope"


def test_unique_name(path):
    store = ProfileStore(path)
    store.save(PROD)
    assert store.unique_name("Staging") == "Staging"
    assert store.unique_name("production") == "production 2"
    store.save(Profile("Production 2"))
    assert store.unique_name("Production") == "Production 3"


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"\xff\xfe",
        b"[1, 2]",
        b'{"version": 2, "profiles": []}',
        b'{"version": 1}',
        b'{"version": 1, "profiles": {"a": 1}}',
    ],
)
def test_a_corrupt_or_foreign_file_is_moved_aside(path, content):
    path.write_bytes(content)
    store = ProfileStore(path)
    assert [p.name for p in store.profiles()] == [SANDBOX]
    assert store.selected == SANDBOX
    aside = [p for p in path.parent.iterdir() if p.name.startswith("profiles.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert not path.exists()
    assert "was not used because" in store.recovered and aside[0].name in store.recovered
    store.save(PROD)  # starts fresh
    assert ProfileStore(path).get("Production") == PROD


def test_bad_entries_are_skipped_and_the_original_kept_aside(path):
    good = {"name": "Good", "login": "g"}
    path.write_text(
        json.dumps(
            {
                "version": 1,
                "selected": "good",
                "profiles": [good, {"name": ""}, "x", {"name": "GOOD"}, {"name": 5}],
            }
        )
    )
    store = ProfileStore(path)
    assert [p.name for p in store.profiles()] == [SANDBOX, "Good"]
    assert store.selected == "Good"
    assert "profile 2: a profile needs a name" in store.recovered
    assert "profile 4: the name 'GOOD' is taken" in store.recovered
    assert ProfileStore(path).recovered is None  # the cleaned file was written


def test_no_secret_is_ever_written_to_the_profiles_file(path, memory):
    store = ProfileStore(path)
    keychain = Keychain()
    store.save(PROD)
    keychain.set("Production", PASSWORD, "hunter2-password")
    keychain.set("Production", CORE_TOKEN, "core-token-value")
    # Even a hand-edited file with a password in it loses it on the next write.
    data = json.loads(path.read_text())
    data["profiles"][0]["password"] = "planted-password"
    path.write_text(json.dumps(data))
    store = ProfileStore(path)
    store.selected = "Production"
    text = path.read_text()
    for secret in ("hunter2-password", "core-token-value", "planted-password", "password"):
        assert secret not in text
    assert "token" not in text


# -- URL risks -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://api.carrierx.com/flexml/v1",
        "http://127.0.0.1:8080/flexml/v1",
        "http://127.5.6.7/flexml/v1",
        "http://localhost:9000/flexml/v1",
        "http://LOCALHOST./x",
        "http://[::1]:9000/flexml/v1",
        "http://[::ffff:127.0.0.1]/x",
        "",
        "not a url",
    ],
)
def test_no_risk_over_https_or_to_this_computer(url):
    assert describe_url_risk(url) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://api.carrierx.com/flexml/v1",
        "HTTP://192.168.1.10:8080/flexml/v1",
        "http://[2001:db8::1]/flexml/v1",
        "http://localhost.example.com/",
        "http://0.0.0.0/",
    ],
)
def test_http_to_another_host_is_a_risk(url):
    warning = describe_url_risk(url)
    assert "unencrypted" in warning and "https://" in warning


# -- resolving -------------------------------------------------------------------------


def test_resolve_the_sandbox_profile_to_the_running_sandbox(path, sandbox):
    store = ProfileStore(path)
    endpoint = resolve(store.get(SANDBOX), Keychain(), sandbox)
    assert endpoint == Endpoint(
        SANDBOX,
        sandbox.api_url,
        sandbox.credentials.login,
        sandbox.credentials.password,
        is_sandbox=True,
    )
    assert sandbox.credentials.password not in repr(endpoint)
    assert "password='***'" in repr(endpoint)
    with pytest.raises(ProfileError, match="sandbox is not running"):
        resolve(store.get(SANDBOX), Keychain(), None)


def test_resolve_a_sandbox_that_stopped():
    sandbox = Sandbox()
    with pytest.raises(ProfileError, match="sandbox is not running"):
        resolve(profiles_module.SANDBOX_PROFILE, Keychain(), sandbox)


def test_resolve_a_carrierx_profile_from_the_keychain(path, memory, sandbox):
    store = ProfileStore(path)
    keychain = Keychain()
    profile = store.save(Profile("Local", api_url=sandbox.api_url, login=sandbox.credentials.login))
    with pytest.raises(ProfileError, match="no password is saved for the profile 'Local'"):
        resolve(profile, keychain)
    keychain.set("Local", PASSWORD, sandbox.credentials.password)
    endpoint = resolve(profile, keychain, sandbox)
    assert endpoint == Endpoint(
        "Local", sandbox.api_url, sandbox.credentials.login, sandbox.credentials.password
    )
    assert not endpoint.is_sandbox
    with pytest.raises(ProfileError, match="has no login"):
        resolve(Profile("Nobody"), keychain)


def test_resolve_without_a_keyring_says_where_secrets_were(path):
    keychain = Keychain()  # the fail backend: session only
    with pytest.raises(ProfileError, match="for this session only"):
        resolve(Profile("P", login="l"), keychain)


def test_credentials_for_profile(memory, sandbox):
    store = ProfileStore()
    store.save(Profile("Local", api_url=sandbox.api_url, login=sandbox.credentials.login))
    Keychain().set("Local", PASSWORD, sandbox.credentials.password)
    assert credentials_for_profile("local") == (
        sandbox.api_url,
        sandbox.credentials.login,
        sandbox.credentials.password,
    )


def test_credentials_for_profile_errors(memory):
    ProfileStore().save(Profile("Production", login="l"))
    with pytest.raises(ProfileError, match="profiles are: Sandbox, Production"):
        credentials_for_profile("Staging")
    with pytest.raises(ProfileError, match="lives in the window; run `flexml-studio sandbox`"):
        credentials_for_profile("sandbox")
    with pytest.raises(ProfileError, match="no password is saved"):
        credentials_for_profile("Production")
