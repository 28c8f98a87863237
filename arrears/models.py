"""Records of the arrears engine live here (issue 3)."""
