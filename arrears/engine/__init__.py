"""The arrears engine: per case, the stage, the next action, the guards and the reasons."""

from arrears.engine.decide import ArrangementChange, Decision, decide, fingerprint

__all__ = ["ArrangementChange", "Decision", "decide", "fingerprint"]
