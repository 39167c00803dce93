"""基本政策 (basic policy): versioned, maker-checked policy documents.

document (the typed policy read from a document; `policy_in_force(on=date)`) ·
validation (the JSON Schema and the rules beyond it) · guards (published versions never
change) · services (draft, submit, approve, reject) · display · views, api ·
schema/ (the published JSON Schema) · documents/ (the demo city's files) ·
unification/ (待遇不降: each county's pre-pooling parameters against the unified policy).
"""
