"""Configuration: TOML in, validated frozen dataclasses out."""

from complaintd.config.loader import DEFAULT_CONFIG_PATH, build_config, load_config
from complaintd.config.model import Config, MailboxConfig

__all__ = ["DEFAULT_CONFIG_PATH", "Config", "MailboxConfig", "build_config", "load_config"]
