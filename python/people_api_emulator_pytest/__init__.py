"""pytest fixtures for people-api-emulator (docs/testing.md: pytest)."""
from .plugin import Emulator

__all__ = ['Emulator']
