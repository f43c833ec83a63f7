"""Live backends (emulator server, real API) and the crash-safe cleanup of real uploads."""
