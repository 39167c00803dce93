"""The three catalogues (药品、诊疗项目、服务设施) as published versions, their import and lookup."""
