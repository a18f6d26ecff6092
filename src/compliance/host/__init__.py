"""The host: hook specifications, the plugin manager factory, profiles and the engine."""
