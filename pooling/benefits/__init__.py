"""Benefit standards (待遇标准): rules parsed from the policy, and the calculator."""
