"""pytest fixtures for people-api-emulator (README: Testing with it, pytest)."""
from .plugin import Emulator

__all__ = ['Emulator']
