"""The national provider interface (医疗保障信息平台定点医药机构接口) spoken at `POST /api/hsa/`.

envelope (the request and answer envelope, errors as `infcode = -1`) · fields (reading
and checking input fields, each error naming the field and the rule) · codes (insutype,
med_type, clr_type, certificate types) · auth (credentials, sign-in, the provider's
scope) · transactions/ (one module per family: sign-in, person, outpatient, inpatient,
reversal, queries, reconciliation) · dispatch (infno → transaction) · view.

Everything a message does goes through `settlement.services`; this package only
translates between the national vocabulary and those services.
"""
