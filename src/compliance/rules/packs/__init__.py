"""The built-in rule packs, each an ordinary plugin implementing ``compliance_rule_packs``."""
