"""待遇标准 (benefit standards): the rules read from the policy, the calculator that
settles a claim against them, its itemised explanation, quotes, and `catalogue/`
(drug, treatment-item and service-facility catalogues, versioned)."""
