"""Settings: every key the settings use is read from the stack config by the program."""

from __future__ import annotations

import re

import pytest

from components import settings as stack_settings
from components.settings import PROJECT, Settings, stack_file_values


class RecordingValues(dict):
    """A config mapping that remembers every key `Settings.from_values` asks for."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.asked: set[str] = set()

    def get(self, key, default=None):
        self.asked.add(key)
        return super().get(key, default)


def keys_the_settings_use() -> set[str]:
    values = RecordingValues(stack_file_values("prod"))
    Settings.from_values(values, stack="prod", account_id="123456789012")
    return {k.split(":", 1)[1] for k in values.asked if k.startswith(f"{PROJECT}:")}


def test_every_key_the_settings_use_is_read_from_the_stack_config():
    used = keys_the_settings_use()
    assert "emailSender" in used  # the recorder sees every get(), optional keys included
    missing = used - set(stack_settings._PROJECT_KEYS)
    assert not missing, f"Settings use {sorted(missing)} but load() never reads them from the config"


def test_load_reads_email_sender_from_the_stack_config():
    from preview.harness import run, stack_config

    config = stack_config(
        "dev",
        {
            f"{PROJECT}:alarmEmail": "oncall@example.com",
            f"{PROJECT}:emailSender": "no-reply@example.com",
        },
    )
    seen: list[Settings] = []
    run(lambda: seen.append(stack_settings.load()), stack="dev", config=config)
    assert seen[0].email_sender == "no-reply@example.com"
    assert seen[0].alarm_email == "oncall@example.com"


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_key_of_the_stack_files_is_one_the_settings_use(stack):
    # The other direction: a key in Pulumi.<stack>.yaml that nothing reads is a typo or dead.
    used = keys_the_settings_use()
    declared = {k.split(":", 1)[1] for k in stack_file_values(stack) if k.startswith(f"{PROJECT}:")}
    assert declared <= used, sorted(declared - used)


def values_with(**overrides):
    values = stack_file_values("dev")
    values.update({f"{PROJECT}:{k}": v for k, v in overrides.items()})
    return values


def test_the_pulumi_cli_is_pinned_by_version_and_sha256_together():
    # buildspecs/infrastructure.yml refuses the archive unless it hashes to pulumiSha256.
    for stack in ("dev", "prod"):
        declared = stack_file_values(stack)
        assert re.fullmatch(r"[0-9a-f]{64}", declared[f"{PROJECT}:pulumiSha256"])
        settings = Settings.from_values(declared, stack=stack, account_id="123456789012")
        assert (settings.pulumi_version, settings.pulumi_sha256) == (
            stack_settings.PULUMI_VERSION,
            stack_settings.PULUMI_SHA256,
        )
    # Without the keys, the defaults are the same pinned pair.
    bare = {k: v for k, v in stack_file_values("dev").items() if "pulumi" not in k}
    settings = Settings.from_values(bare, stack="dev", account_id="123456789012")
    assert (settings.pulumi_version, settings.pulumi_sha256) == (
        stack_settings.PULUMI_VERSION,
        stack_settings.PULUMI_SHA256,
    )
    digest = "0123456789abcdef" * 4
    other = Settings.from_values(
        values_with(pulumiVersion="3.9.9", pulumiSha256=digest.upper()),
        stack="dev",
        account_id="123456789012",
    )
    assert (other.pulumi_version, other.pulumi_sha256) == ("3.9.9", digest)


@pytest.mark.parametrize("bad", ["", "abc", "0" * 63, "g" * 64, "sha256:" + "0" * 64])
def test_a_pulumi_version_without_its_sha256_is_refused(bad):
    with pytest.raises(stack_settings.SettingsError, match="pulumiSha256"):
        Settings.from_values(
            values_with(pulumiVersion="3.9.9", pulumiSha256=bad), stack="dev", account_id="123456789012"
        )
    if bad:
        with pytest.raises(stack_settings.SettingsError, match="pulumiSha256"):
            Settings.from_values(values_with(pulumiSha256=bad), stack="dev", account_id="123456789012")
    # A new version with the old default hash would only fail later, in the build: refuse now.
    bare = {k: v for k, v in values_with(pulumiVersion="3.9.9").items() if not k.endswith("pulumiSha256")}
    with pytest.raises(stack_settings.SettingsError, match="pulumiSha256"):
        Settings.from_values(bare, stack="dev", account_id="123456789012")
