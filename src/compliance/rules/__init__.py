"""Rules: the pack and finding model, rule metadata from ``rules/*.yaml``, and the packs."""
