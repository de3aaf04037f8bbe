"""The conformance suite: every op checked against NumPy float64 on any device."""
