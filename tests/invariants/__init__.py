"""Invariants of the whole first half (needs → calls → applications → selection → notice → registration), checked by
a hypothesis state machine that takes random steps through the apps' services as random users of the test world."""
